package org.d4c.publisher.mirror;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryTest {
  private final Retry retry = new Retry(5, Duration.ofSeconds(1), Duration.ofSeconds(20), d -> {});

  @Test void backoffDoublesUpToTheCap() {
    assertThat(retry.delay(1, Optional.empty()), is(Duration.ofSeconds(1)));
    assertThat(retry.delay(3, Optional.empty()), is(Duration.ofSeconds(4)));
    assertThat(retry.delay(9, Optional.empty()), is(Duration.ofSeconds(20)));
    assertThat(retry.canRetry(4), is(true));
    assertThat(retry.canRetry(5), is(false));
  }

  @Test void retryAfterIsSecondsOrADateOnTheServersClock() {
    assertThat(Retry.parse("120", null), is(Optional.of(Duration.ofSeconds(120))));
    assertThat(Retry.parse("Wed, 21 Oct 2015 07:28:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"), is(Optional.of(Duration.ofSeconds(30))));
    assertThat(Retry.parse("Wed, 21 Oct 2015 07:28:30 GMT", null), is(Optional.empty()));
    assertThat(Retry.parse("soon", null), is(Optional.empty()));
    assertThat(retry.delay(1, Optional.of(Duration.ofHours(1))), is(Duration.ofSeconds(20)));
  }

  @Test void onlyTheSameOriginCounts() {
    assertThat(HttpSend.sameOrigin(URI.create("https://zenodo.org/api/x"), URI.create("https://zenodo.org:443/api/files/y")), is(true));
    assertThat(HttpSend.sameOrigin(URI.create("https://zenodo.org/"), URI.create("https://evil.example/")), is(false));
    assertThat(HttpSend.sameOrigin(URI.create("https://zenodo.org/"), URI.create("http://zenodo.org/")), is(false));
    assertThat(HttpSend.encodePath("dir/a b+c.parquet"), is("dir/a%20b%2Bc.parquet"));
  }
}
