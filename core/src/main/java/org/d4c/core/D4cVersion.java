package org.d4c.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of d4c itself (the Maven project version), for manifests, {@code --version} and the seeder. */
public final class D4cVersion {
  private static final String VERSION = read();

  private D4cVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = D4cVersion.class.getResourceAsStream("/org/d4c/core/version.properties")) {
      Properties p = new Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
