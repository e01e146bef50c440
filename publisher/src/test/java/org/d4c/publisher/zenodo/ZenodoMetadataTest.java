package org.d4c.publisher.zenodo;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.d4c.manifests.lock.CodeVersion;
import org.junit.jupiter.api.Test;

class ZenodoMetadataTest {
  private static final String C = "0123456789abcdef0123456789abcdef01234567";

  @Test void spdxIdsBecomeZenodoLicenseIds() {
    assertThat(ZenodoMetadata.license("CC-BY-4.0"), is("cc-by-4.0"));
    assertThat(ZenodoMetadata.license("CC0-1.0"), is("cc0-1.0"));
    assertThat(ZenodoMetadata.license("ODbL-1.0"), is("odbl-1.0"));
    ZenodoException e = assertThrows(ZenodoException.class, () -> ZenodoMetadata.license("MIT OR Apache-2.0"));
    assertThat(e.getMessage(), containsString("single license id"));
  }

  @Test void theCodeCommitBecomesAUrl() {
    assertThat(ZenodoMetadata.codeUrl(new CodeVersion(C, false, "git@github.com:dataforcanada/d4c.git")),
        is("https://github.com/dataforcanada/d4c/tree/" + C));
    assertThat(ZenodoMetadata.codeUrl(new CodeVersion(C, false, "https://gitlab.com/x/y.git")), is("https://gitlab.com/x/y"));
    assertThat(ZenodoMetadata.codeUrl(new CodeVersion(C, false, null)), nullValue());
  }

  @Test void onlyPublicUrlsAreRelatedIdentifiers() {
    assertThat(ZenodoMetadata.isPublicUrl("https://example.org/a.zip"), is(true));
    assertThat(ZenodoMetadata.isPublicUrl("data/src.gpkg"), is(false));
    assertThat(ZenodoMetadata.isPublicUrl("https://***@example.org/a.zip"), is(false));
    assertThat(ZenodoMetadata.isPublicUrl("s3://bucket/key"), is(false));
  }

  @Test void doisAndIdsGiveRecordIds() {
    assertThat(ZenodoDeposit.recordId("10.5281/zenodo.1234", "x"), is(1234L));
    assertThat(ZenodoDeposit.recordId("https://doi.org/10.5072/zenodo.99", "x"), is(99L));
    assertThat(ZenodoDeposit.recordId("42", "x"), is(42L));
    assertThrows(ZenodoException.class, () -> ZenodoDeposit.recordId("10.1234/other.5", "the concept DOI"));
  }

  @Test void theConfigNeverShowsTheToken() {
    ZenodoConfig c = new ZenodoConfig(ZenodoConfig.SANDBOX, "s3cr3t-token", "ZENODO_TOKEN", "d4c", List.of(ZenodoCreator.named("Doe, Jane")));
    assertThat(c.toString(), allOf(not(containsString("s3cr3t-token")), containsString("ZENODO_TOKEN")));
    assertThrows(IllegalArgumentException.class, () -> new ZenodoConfig(URI.create("http://zenodo.org"), "t", "ZENODO_TOKEN", null, null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ZenodoConfig(ZenodoConfig.ZENODO, "", "ZENODO_TOKEN", null, null));
    assertThat(e.getMessage(), containsString("ZENODO_TOKEN"));
  }
}
