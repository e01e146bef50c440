package org.d4c.catalog.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.core.json.CanonicalJson;

/**
 * The public keys of the probe sites, kept in the catalog as {@value #FILE} beside catalog.parquet (so it is pushed to
 * every mirror with the catalog): {@code {"keys": [{"site": "ottawa", "key_id": "...", "public_key": "<base64>"}]}}.
 * A reader of status.json trusts only these keys.
 */
public record StatusKeys(Map<String, PublicKey> byKeyId, Map<String, String> siteByKeyId) {
  public static final String FILE = "status-keys.json";

  public static StatusKeys parse(JsonNode doc) {
    Map<String, PublicKey> keys = new TreeMap<>();
    Map<String, String> sites = new TreeMap<>();
    for (JsonNode k : doc.path("keys")) {
      PublicKey key = StatusSignature.publicKey(k.path("public_key").asText());
      String id = StatusSignature.keyId(key);
      if (k.has("key_id") && !id.equals(k.get("key_id").asText())) {
        throw new IllegalArgumentException(FILE + ": key_id " + k.get("key_id").asText() + " does not match its public key (" + id + ")");
      }
      keys.put(id, key);
      sites.put(id, k.path("site").asText(""));
    }
    return new StatusKeys(keys, sites);
  }

  public static StatusKeys read(Path file) {
    try {
      return parse(CanonicalJson.mapper().readTree(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Adds or replaces the key of {@code site} in a keys document (creating it when {@code doc} is null). */
  public static ObjectNode withKey(JsonNode doc, String site, PublicKey key) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = out.putArray("keys");
    for (JsonNode k : doc == null ? JsonNodeFactory.instance.arrayNode() : doc.path("keys")) {
      if (!site.equals(k.path("site").asText())) arr.add(k);
    }
    arr.addObject().put("site", site).put("key_id", StatusSignature.keyId(key)).put("public_key", StatusSignature.encode(key));
    return out;
  }

  public PublicKey key(String keyId) {
    return byKeyId.get(keyId);
  }
}
