package org.d4c.catalog.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.json.SchemaCheck;

/**
 * {@code status.json}: what the status service last saw of every storage location of every catalog item, checked
 * against the shipped JSON Schema ({@value #SCHEMA_RESOURCE}) and signed with Ed25519. Written by the monitor beside
 * the catalog and pushed to the mirrors; read by {@code d4c get} to choose where to download from. Beam-free.
 *
 * <p>Version rule: a reader accepts every {@code 1.x.y}; a minor version only adds optional fields.
 */
public record StatusDocument(String statusVersion, Monitor monitor, long round, String generated, String probeSeed,
    List<LocationStatus> locations, List<ItemStatus> items, List<Incident> incidents, SignatureInfo signature, ObjectNode json) {

  public static final String VERSION = "1.0.0";
  /** The version of a document that uses a 1.1 field ({@code monitor.url}); one without stays a 1.0.0 document. */
  public static final String VERSION_1_1 = "1.1.0";
  public static final String FILE = "status.json";
  public static final String SCHEMA_RESOURCE = "status-1.schema.json";
  private static final SchemaCheck SCHEMA = SchemaCheck.fromResource(StatusDocument.class, SCHEMA_RESOURCE);

  /**
   * The probe site that wrote the document, every site counted, the quorum for down/corrupt, and (since 1.1, null
   * when the operator gave none) the public address of the monitor's API, where reports are posted.
   */
  public record Monitor(String site, List<String> sites, int quorum, String url) {
    public Monitor(String site, List<String> sites, int quorum) {
      this(site, sites, quorum, null);
    }
  }

  /** One location over all its items: the worst state, counts, and the last day's uptime and medians. */
  public record LocationStatus(String id, String kind, String title, State state, int items, int verified,
      Double uptime24h, Double latencyMsP50, Double throughputBpsP50) {}

  /** One item (dataset version) and every location that serves it. */
  public record ItemStatus(String id, String collection, List<ItemLocation> locations) {}

  /** One location × item: state, whether to route to it, the last probe's figures, each site's own verdict. */
  public record ItemLocation(String location, State state, boolean routable, Double latencyMs, Double throughputBps,
      String checked, String detail, Map<String, State> sites) {}

  /** An open incident: a location held out of routing for an item (by the quorum or a confirmed report). */
  public record Incident(String id, String location, String item, State state, String opened, int reports, String summary) {}

  public record SignatureInfo(String alg, String keyId, String value) {}

  /** The schema's problems with {@code doc}, one line each; empty when valid. */
  public static List<String> problems(JsonNode doc) {
    return SCHEMA.validate(doc);
  }

  /** Parses and validates; a document that breaks the schema is refused with every problem named. */
  public static StatusDocument parse(byte[] bytes) {
    JsonNode tree;
    try {
      tree = CanonicalJson.mapper().readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(FILE + ": not JSON: " + e.getMessage());
    }
    if (!(tree instanceof ObjectNode doc)) throw new IllegalArgumentException(FILE + ": expected a JSON object");
    List<String> problems = problems(doc);
    if (!problems.isEmpty()) throw new IllegalArgumentException(FILE + " breaks its schema: " + String.join("; ", problems));
    return fromJson(doc);
  }

  static StatusDocument fromJson(ObjectNode doc) {
    JsonNode m = doc.get("monitor");
    List<String> sites = new ArrayList<>();
    m.path("sites").forEach(s -> sites.add(s.asText()));
    List<LocationStatus> locations = new ArrayList<>();
    for (JsonNode l : doc.path("locations")) {
      locations.add(new LocationStatus(l.path("id").asText(), l.path("kind").asText(), l.path("title").asText(null),
          State.of(l.path("state").asText()), l.path("items").asInt(0), l.path("verified").asInt(0),
          num(l, "uptime_24h"), num(l, "latency_ms_p50"), num(l, "throughput_bps_p50")));
    }
    List<ItemStatus> items = new ArrayList<>();
    for (JsonNode i : doc.path("items")) {
      List<ItemLocation> ls = new ArrayList<>();
      for (JsonNode l : i.path("locations")) {
        Map<String, State> bySite = new TreeMap<>();
        l.path("sites").fields().forEachRemaining(e -> bySite.put(e.getKey(), State.of(e.getValue().asText())));
        ls.add(new ItemLocation(l.path("location").asText(), State.of(l.path("state").asText()), l.path("routable").asBoolean(),
            num(l, "latency_ms"), num(l, "throughput_bps"), l.path("checked").isTextual() ? l.get("checked").asText() : null,
            l.path("detail").asText(null), bySite));
      }
      items.add(new ItemStatus(i.path("id").asText(), i.path("collection").asText(), ls));
    }
    List<Incident> incidents = new ArrayList<>();
    for (JsonNode x : doc.path("incidents")) {
      incidents.add(new Incident(x.path("id").asText(), x.path("location").asText(), x.path("item").asText(),
          State.of(x.path("state").asText()), x.path("opened").asText(), x.path("reports").asInt(0), x.path("summary").asText(null)));
    }
    JsonNode s = doc.path("signature");
    return new StatusDocument(doc.path("status_version").asText(), new Monitor(m.path("site").asText(), sites, m.path("quorum").asInt(),
        m.path("url").isTextual() ? m.get("url").asText() : null),
        doc.path("round").asLong(), doc.path("generated").asText(), doc.path("probe_seed").asText(), locations, items, incidents,
        new SignatureInfo(s.path("alg").asText(), s.path("key_id").asText(), s.path("value").asText()), doc);
  }

  private static Double num(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || !v.isNumber() ? null : v.asDouble();
  }

  /** True when signed by one of the catalog's status keys. */
  public boolean verify(StatusKeys keys) {
    PublicKey key = keys.key(signature.keyId());
    return key != null && StatusSignature.verify(json, key);
  }

  /** Like {@link #verify} but throws with a reason a user can act on. */
  public StatusDocument requireSignedBy(StatusKeys keys) {
    if (keys.key(signature.keyId()) == null) {
      throw new IllegalArgumentException(FILE + " is signed by key " + signature.keyId() + ", which is not in the catalog's "
          + StatusKeys.FILE + " (known: " + String.join(", ", keys.byKeyId().keySet()) + ")");
    }
    if (!verify(keys)) throw new IllegalArgumentException(FILE + ": the signature does not match its contents (altered, or not from the monitor)");
    return this;
  }

  /** The monitor's public API address ({@code monitor.url}), where {@code POST /v1/reports} goes; empty when not published. */
  public Optional<String> monitorUrl() {
    return Optional.ofNullable(monitor.url());
  }

  /**
   * Checks an operator-given public address of a monitor: an absolute http(s) URL with a host, no user, query or
   * fragment, at most 300 characters; returned with a trailing "/" so {@code url + "v1/reports"} is the report endpoint.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static String checkMonitorUrl(String url) {
    java.net.URI u;
    try {
      u = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage());
    }
    if (u.getScheme() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http"))) {
      throw new IllegalArgumentException("expected an http:// or https:// URL, got " + url);
    }
    if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException("expected a URL with a host and without user, query or fragment, got " + url);
    }
    String s = u.toString();
    if (!s.endsWith("/")) s += "/";
    if (s.length() > 300 || s.chars().anyMatch(Character::isWhitespace)) throw new IllegalArgumentException("at most 300 characters, no spaces");
    return s;
  }

  public Optional<ItemStatus> item(String id) {
    return items.stream().filter(i -> i.id().equals(id)).findFirst();
  }

  /**
   * The routable locations of an item, best first: verified before slow before regional, then by throughput (highest
   * first), then by id. Empty when the item is unknown or nothing is routable.
   */
  public List<ItemLocation> routable(String itemId) {
    List<ItemLocation> out = new ArrayList<>();
    item(itemId).ifPresent(i -> i.locations().stream().filter(ItemLocation::routable).forEach(out::add));
    out.sort(Comparator.comparing(ItemLocation::state)
        .thenComparing(l -> l.throughputBps() == null ? 0 : -l.throughputBps())
        .thenComparing(ItemLocation::location));
    return out;
  }

  /** A new, empty document builder's starting JSON (status_version set). */
  public static ObjectNode skeleton() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("status_version", VERSION);
    return o;
  }

  /** Convenience for writers: a JSON array field, created when missing. */
  public static ArrayNode array(ObjectNode o, String field) {
    return o.has(field) ? (ArrayNode) o.get(field) : o.putArray(field);
  }
}
