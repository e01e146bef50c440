package org.d4c.catalog;

import java.util.regex.Pattern;

/**
 * The {@code file:checksum} form: a multihash in lowercase hex. For SHA2-256 that is the function code {@code 0x12},
 * the digest length {@code 0x20} (32 bytes), then the digest: {@code "1220" + sha256 hex}. Hand-written because it
 * is four characters and no library on Maven Central does only this.
 */
public final class Multihash {
  /** Multihash prefix of a SHA2-256 digest: code 0x12, length 0x20. */
  public static final String SHA2_256 = "1220";
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  private Multihash() {}

  /** {@code 1220<hex>} for a lowercase hex SHA-256 digest. */
  public static String sha256(String hexDigest) {
    if (hexDigest == null || !SHA256_HEX.matcher(hexDigest).matches()) {
      throw new IllegalArgumentException("expected 64 lowercase hex characters, got " + hexDigest);
    }
    return SHA2_256 + hexDigest;
  }

  /** The SHA-256 hex digest inside a {@code 1220...} multihash. */
  public static String sha256Hex(String multihash) {
    if (multihash == null || multihash.length() != 68 || !multihash.startsWith(SHA2_256)
        || !SHA256_HEX.matcher(multihash.substring(4)).matches()) {
      throw new IllegalArgumentException("not a SHA2-256 multihash (1220 + 64 hex characters): " + multihash);
    }
    return multihash.substring(4);
  }
}
