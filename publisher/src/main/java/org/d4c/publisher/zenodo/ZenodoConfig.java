package org.d4c.publisher.zenodo;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.d4c.publisher.mirror.HttpSend;

/**
 * Where and as whom to deposit.
 *
 * @param baseUrl {@link #ZENODO} or {@link #SANDBOX} (plain http only to a loopback test server)
 * @param token the personal access token (scopes {@code deposit:write} and {@code deposit:actions}), read by the
 *     caller from the environment variable {@code tokenEnv}; sent only as {@code Authorization: Bearer}, never shown
 *     by {@link #toString()} or any message
 * @param tokenEnv the name of that environment variable, named in errors so the user knows what to fix
 * @param community a Zenodo community identifier to submit to, or null
 * @param defaultCreators creators when the recipe lists no provider (may be empty)
 */
public record ZenodoConfig(URI baseUrl, String token, String tokenEnv, String community, List<ZenodoCreator> defaultCreators) {
  public static final URI ZENODO = URI.create("https://zenodo.org");
  public static final URI SANDBOX = URI.create("https://sandbox.zenodo.org");

  public ZenodoConfig {
    HttpSend.requireHttps(baseUrl, "the Zenodo URL");
    String p = baseUrl.getRawPath();
    if (p != null && !p.isEmpty() && !p.equals("/")) {
      throw new IllegalArgumentException("the Zenodo URL is the site root (https://zenodo.org), without a path: " + baseUrl);
    }
    baseUrl = URI.create(HttpSend.origin(baseUrl));
    Objects.requireNonNull(tokenEnv, "tokenEnv");
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("no Zenodo token: set the environment variable " + tokenEnv);
    }
    if (community != null && community.isBlank()) community = null;
    defaultCreators = defaultCreators == null ? List.of() : List.copyOf(defaultCreators);
  }

  /** Never shows the token. */
  @Override public String toString() {
    return "ZenodoConfig[baseUrl=" + baseUrl + ", token=*** (from $" + tokenEnv + "), community=" + community
        + ", defaultCreators=" + defaultCreators + "]";
  }
}
