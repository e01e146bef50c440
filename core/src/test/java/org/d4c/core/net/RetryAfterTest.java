package org.d4c.core.net;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  @Test
  void delaySecondsAndHttpDatesAndNonsense() {
    long now = ZonedDateTime.parse("2026-12-05T08:00:00Z").toInstant().toEpochMilli();
    assertThat(SafeHttp.retryAfterMillis("120", now), is(120_000L));
    assertThat(SafeHttp.retryAfterMillis(" 0 ", now), is(0L));
    String in90s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.parse("2026-12-05T08:01:30Z"));
    assertThat(SafeHttp.retryAfterMillis(in90s, now), is(90_000L));
    assertThat(SafeHttp.retryAfterMillis("Sat, 05 Dec 2026 07:00:00 GMT", now), is(0L)); // in the past: at once
    assertThat(SafeHttp.retryAfterMillis(null, now), is(-1L));
    assertThat(SafeHttp.retryAfterMillis("soon", now), is(-1L));
    assertThat(SafeHttp.retryAfterMillis("-5", now), is(-1L));
  }
}
