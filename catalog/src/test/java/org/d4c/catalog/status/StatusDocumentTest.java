package org.d4c.catalog.status;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.security.KeyPair;
import org.d4c.core.json.CanonicalJson;
import org.junit.jupiter.api.Test;

class StatusDocumentTest {
  private static ObjectNode example() throws Exception {
    try (InputStream in = StatusDocumentTest.class.getResourceAsStream("example-unsigned.json")) {
      return (ObjectNode) CanonicalJson.mapper().readTree(in);
    }
  }

  @Test
  void signedDocumentParsesVerifiesAndRoutes() throws Exception {
    KeyPair key = StatusSignature.generate();
    ObjectNode doc = StatusSignature.sign(example(), key);
    StatusKeys keys = StatusKeys.parse(StatusKeys.withKey(null, "ottawa", key.getPublic()));
    StatusDocument s = StatusDocument.parse(CanonicalJson.toBytes(doc));
    assertThat(s.verify(keys), is(true));
    assertThat(s.monitor().quorum(), is(2));
    assertThat(s.routable("roads-1.0.0").stream().map(StatusDocument.ItemLocation::location).toList(), contains("r2"));
    assertThat(s.item("roads-1.0.0").orElseThrow().locations().get(1).state(), is(State.CORRUPT));
    assertThat(s.incidents().get(0).location(), is("archive"));
  }

  @Test
  void alteredDocumentOrForeignKeyFailsTheCheck() throws Exception {
    KeyPair key = StatusSignature.generate();
    ObjectNode doc = StatusSignature.sign(example(), key);
    ((ObjectNode) doc.get("items").get(0).get("locations").get(1)).put("routable", true);
    StatusKeys keys = StatusKeys.parse(StatusKeys.withKey(null, "ottawa", key.getPublic()));
    StatusDocument altered = StatusDocument.parse(CanonicalJson.toBytes(doc));
    assertThat(altered.verify(keys), is(false));
    assertThat(assertThrows(IllegalArgumentException.class, () -> altered.requireSignedBy(keys)).getMessage(), containsString("does not match"));
    StatusKeys other = StatusKeys.parse(StatusKeys.withKey(null, "x", StatusSignature.generate().getPublic()));
    assertThat(assertThrows(IllegalArgumentException.class, () -> altered.requireSignedBy(other)).getMessage(), containsString("not in the catalog"));
  }

  @Test
  void schemaNamesTheBadField() throws Exception {
    ObjectNode doc = StatusSignature.sign(example(), StatusSignature.generate());
    assertThat(StatusDocument.problems(doc), empty());
    ((ObjectNode) doc.get("items").get(0).get("locations").get(0)).put("state", "fine");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StatusDocument.parse(CanonicalJson.toBytes(doc)));
    assertThat(e.getMessage(), containsString("items[0].locations[0].state"));
    doc.put("status_version", "2.0.0");
    assertThat(String.join(";", StatusDocument.problems(doc)), containsString("status_version"));
  }

  @Test
  void monitorUrlIsOptionalAndChecked() throws Exception {
    KeyPair key = StatusSignature.generate();
    StatusDocument plain = StatusDocument.parse(CanonicalJson.toBytes(StatusSignature.sign(example(), key)));
    assertThat(plain.monitorUrl().isPresent(), is(false));
    ObjectNode doc = example();
    doc.put("status_version", StatusDocument.VERSION_1_1);
    ((ObjectNode) doc.get("monitor")).put("url", "https://status.example.org/");
    StatusDocument withUrl = StatusDocument.parse(CanonicalJson.toBytes(StatusSignature.sign(doc, key)));
    assertThat(withUrl.monitorUrl().orElseThrow(), is("https://status.example.org/"));
    assertThat(withUrl.monitor().url(), is("https://status.example.org/"));
    ((ObjectNode) doc.get("monitor")).put("url", "ftp://x.example.org/?q=1");
    assertThat(String.join(";", StatusDocument.problems(doc)), containsString("monitor.url"));
    assertThat(StatusDocument.checkMonitorUrl("https://status.example.org"), is("https://status.example.org/"));
    for (String bad : new String[] {"status.example.org", "ftp://x.org/", "https://u:p@x.org/", "https://x.org/?a=1", "https://x.org/#f", "https:///p"}) {
      assertThrows(IllegalArgumentException.class, () -> StatusDocument.checkMonitorUrl(bad), bad);
    }
  }
}
