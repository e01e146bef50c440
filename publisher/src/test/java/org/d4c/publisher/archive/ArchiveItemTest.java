package org.d4c.publisher.archive;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ArchiveItemTest {
  @Test void itemIdentifiersAreArchiveLegal() {
    assertThat(ArchiveUpload.itemIdentifier("", "ca-provinces", "1.0.0"), is("ca-provinces-1.0.0"));
    assertThat(ArchiveUpload.itemIdentifier("d4c-", "ca-provinces", "2.0.0-rc.1+build.5"), is("d4c-ca-provinces-2.0.0-rc.1_build.5"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchiveUpload.itemIdentifier("", "a".repeat(95), "1.0.0"));
    assertThat(e.getMessage(), containsString("more than 100"));
  }

  @Test void headerValuesOutsidePrintableAsciiAreUriEncoded() {
    assertThat(ArchiveUpload.headerValue("Plain title"), is("Plain title"));
    assertThat(ArchiveUpload.headerValue("Québec\nline"), is("uri(Qu%C3%A9bec%0Aline)"));
  }

  @Test void licensesBecomeUrls() {
    assertThat(ArchiveUpload.licenseUrl("CC-BY-SA-4.0"), is("https://creativecommons.org/licenses/by-sa/4.0/"));
    assertThat(ArchiveUpload.licenseUrl("CC0-1.0"), is("https://creativecommons.org/publicdomain/zero/1.0/"));
    assertThat(ArchiveUpload.licenseUrl("OGL-Canada-2.0"), is("https://open.canada.ca/en/open-government-licence-canada"));
    assertThat(ArchiveUpload.licenseUrl("MIT"), is("https://spdx.org/licenses/MIT.html"));
    assertThat(ArchiveUpload.licenseUrl("MIT OR CC0-1.0"), nullValue());
  }

  @Test void theConfigNeverShowsTheKeys() {
    ArchiveConfig c = ArchiveConfig.of("AKIAEXAMPLE", "sEcReT", "IA_ACCESS_KEY", "IA_SECRET_KEY", "d4c-", null);
    assertThat(c.toString(), allOf(not(containsString("AKIAEXAMPLE")), not(containsString("sEcReT")), containsString("IA_SECRET_KEY")));
    assertThrows(IllegalArgumentException.class, () -> new ArchiveConfig(URI.create("http://s3.us.archive.org"), ArchiveConfig.ARCHIVE,
        "a", "b", "A", "B", "", null));
  }
}
