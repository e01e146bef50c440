package org.d4c.publisher.mirror;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How long to wait before trying an HTTP request again, and how many times: a bounded number of attempts,
 * exponential backoff from {@code base} capped at {@code cap}, and the server's {@code Retry-After} when it sends one
 * (also capped). No jitter, so tests can assert the waits; the sleeper is injectable for the same reason.
 *
 * <p>Which statuses are worth a retry is the caller's decision (a mirror client knows whether a 500 on its service
 * is transient); this class only decides how long to wait.
 */
public final class Retry {
  /** Waits; tests pass one that records the durations instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
  }

  private final int maxAttempts;
  private final Duration base;
  private final Duration cap;
  private final Sleeper sleeper;

  /**
   * @param maxAttempts attempts in all, the first included (at least 1)
   * @param base the wait after the first failure without a Retry-After; doubled after each further failure
   * @param cap the longest single wait, whatever the server asks for
   */
  public Retry(int maxAttempts, Duration base, Duration cap, Sleeper sleeper) {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    if (base.isNegative() || cap.compareTo(base) < 0) throw new IllegalArgumentException("need 0 <= base <= cap");
    this.maxAttempts = maxAttempts;
    this.base = base;
    this.cap = cap;
    this.sleeper = sleeper;
  }

  /** 6 attempts, 1 s doubling, at most 2 minutes per wait. */
  public static Retry standard() {
    return new Retry(6, Duration.ofSeconds(1), Duration.ofMinutes(2), Sleeper.REAL);
  }

  /** The same policy with another sleeper. */
  public Retry withSleeper(Sleeper s) {
    return new Retry(maxAttempts, base, cap, s);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** True when a request that failed on attempt {@code attempt} (1-based) may be sent again. */
  public boolean canRetry(int attempt) {
    return attempt < maxAttempts;
  }

  /** The wait after failed attempt {@code attempt} (1-based): the server's wish if any, else backoff; both capped. */
  public Duration delay(int attempt, Optional<Duration> retryAfter) {
    if (retryAfter.isPresent()) {
      Duration d = retryAfter.get();
      return d.isNegative() ? Duration.ZERO : min(d, cap);
    }
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    Duration d = base.multipliedBy(1L << shift);
    return min(d, cap);
  }

  /** Sleeps through the sleeper; an interrupt ends the retries with the interrupt flag restored. */
  public void pause(Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }

  /**
   * The response's {@code Retry-After}: delta-seconds, or an HTTP-date taken relative to the response's own
   * {@code Date} header (the server's clock, never ours; without a Date header an HTTP-date is ignored).
   */
  public static Optional<Duration> retryAfter(HttpResponse<?> response) {
    Optional<String> value = response.headers().firstValue("Retry-After");
    return value.flatMap(v -> parse(v.trim(), response.headers().firstValue("Date").orElse(null)));
  }

  static Optional<Duration> parse(String value, String serverDate) {
    if (value.matches("\\d{1,9}")) return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    if (serverDate == null) return Optional.empty();
    try {
      ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
      ZonedDateTime now = ZonedDateTime.parse(serverDate.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Seconds with up to 3 decimals, for messages ("retrying in 2 s"). */
  public static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(java.util.Locale.ROOT, "%.3f s", ms / 1000.0);
  }
}
