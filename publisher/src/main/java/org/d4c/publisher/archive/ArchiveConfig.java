package org.d4c.publisher.archive;

import java.net.URI;
import java.util.Objects;
import org.d4c.publisher.mirror.HttpSend;

/**
 * Where and as whom to upload to the Internet Archive.
 *
 * @param s3Endpoint the IAS3 endpoint, {@link #IAS3} ({@code https://s3.us.archive.org})
 * @param archiveUrl the site, {@link #ARCHIVE} ({@code https://archive.org}): metadata API
 *     ({@code /metadata/<item>}), tasks API ({@code /services/tasks.php}) and public downloads
 *     ({@code /download/<item>/<file>})
 * @param accessKey the IAS3 access key, read by the caller from {@code accessKeyEnv}
 * @param secretKey the IAS3 secret, read by the caller from {@code secretKeyEnv}
 * @param accessKeyEnv name of the environment variable holding the access key, named in errors
 * @param secretKeyEnv name of the environment variable holding the secret, named in errors
 * @param itemPrefix put before {@code <dataset>-<version>} in the item identifier (identifiers are one namespace for
 *     the whole archive, so a project prefix such as {@code d4c-} avoids taking someone else's), may be empty
 * @param collection the collection the item goes into, or null (the archive's default for the account)
 */
public record ArchiveConfig(URI s3Endpoint, URI archiveUrl, String accessKey, String secretKey, String accessKeyEnv,
    String secretKeyEnv, String itemPrefix, String collection) {
  public static final URI IAS3 = URI.create("https://s3.us.archive.org");
  public static final URI ARCHIVE = URI.create("https://archive.org");

  public ArchiveConfig {
    s3Endpoint = URI.create(HttpSend.origin(HttpSend.requireHttps(s3Endpoint, "the Internet Archive S3 endpoint")));
    archiveUrl = URI.create(HttpSend.origin(HttpSend.requireHttps(archiveUrl, "the Internet Archive URL")));
    Objects.requireNonNull(accessKeyEnv, "accessKeyEnv");
    Objects.requireNonNull(secretKeyEnv, "secretKeyEnv");
    if (accessKey == null || accessKey.isBlank()) throw new IllegalArgumentException("no Internet Archive access key: set " + accessKeyEnv);
    if (secretKey == null || secretKey.isBlank()) throw new IllegalArgumentException("no Internet Archive secret key: set " + secretKeyEnv);
    if (accessKey.contains(":") || secretKey.contains(":") || (accessKey + secretKey).chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("the Internet Archive keys in " + accessKeyEnv + " and " + secretKeyEnv
          + " must be printable ASCII without ':' or spaces (copy them again from https://archive.org/account/s3.php)");
    }
    itemPrefix = itemPrefix == null ? "" : itemPrefix;
    if (!itemPrefix.isEmpty() && !itemPrefix.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("the item prefix must start with a letter or digit and hold only A-Z a-z 0-9 . _ -, got \"" + itemPrefix + "\"");
    }
    if (collection != null && collection.isBlank()) collection = null;
  }

  /** The real service with the given keys. */
  public static ArchiveConfig of(String accessKey, String secretKey, String accessKeyEnv, String secretKeyEnv, String itemPrefix, String collection) {
    return new ArchiveConfig(IAS3, ARCHIVE, accessKey, secretKey, accessKeyEnv, secretKeyEnv, itemPrefix, collection);
  }

  /** Never shows the keys. */
  @Override public String toString() {
    return "ArchiveConfig[s3Endpoint=" + s3Endpoint + ", archiveUrl=" + archiveUrl + ", accessKey=*** (from $" + accessKeyEnv
        + "), secretKey=*** (from $" + secretKeyEnv + "), itemPrefix=" + itemPrefix + ", collection=" + collection + "]";
  }
}
