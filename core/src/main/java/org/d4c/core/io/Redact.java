package org.d4c.core.io;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes credentials from URLs before they reach a message, a log line or a manifest. */
public final class Redact {
  // scheme://user:password@host -> scheme://***@host
  private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#@\\s]+@");
  // Query values whose name says they are secret (S3/Azure/GCS signatures, tokens, keys).
  private static final Pattern SECRET_PARAM = Pattern.compile(
      "(?i)([?&;](?:[a-z0-9_.-]*(?:token|sig|signature|secret|password|passwd|pwd|key|credential|auth|session|policy)"
          + "[a-z0-9_.-]*|x-amz-[a-z0-9_.-]+|x-goog-[a-z0-9_.-]+|se|sp|sv|st)=)[^&#\\s\"']*");

  private Redact() {}

  /** The URL with user info and secret-looking query values replaced by {@code ***}. */
  public static String url(String url) {
    if (url == null) return null;
    return text(url);
  }

  /** Redacts every URL-ish credential anywhere in a free text (e.g. an exception message quoting a URL). */
  public static String text(String s) {
    if (s == null) return null;
    String out = USERINFO.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "***@"));
    return SECRET_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "***"));
  }
}
