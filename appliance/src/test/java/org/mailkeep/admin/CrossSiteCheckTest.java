package org.mailkeep.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CrossSiteCheckTest {

    @Test
    void sameOriginNoneAndHeaderlessClientsPassOthersAreRefused() {
        assertThat(CrossSiteCheck.refusal("POST", null, "http://mail.example.org", "mail.example.org", false)).isEmpty();
        assertThat(CrossSiteCheck.refusal("POST", null, "http://mail.example.org:80", "mail.example.org", false)).isEmpty();
        assertThat(CrossSiteCheck.refusal("POST", null, "https://mail.example.org", "MAIL.example.org:443", true)).isEmpty();
        assertThat(CrossSiteCheck.refusal("POST", null, "http://localhost:39053", "localhost:39053", false)).isEmpty();
        assertThat(CrossSiteCheck.refusal("POST", null, null, "mail.example.org", false)).isEmpty(); // curl, scripts
        assertThat(CrossSiteCheck.refusal("PUT", "same-origin", "https://evil.example", "mail.example.org", true)).isEmpty();
        assertThat(CrossSiteCheck.refusal("GET", "cross-site", "https://evil.example", "mail.example.org", true)).isEmpty();

        assertThat(CrossSiteCheck.refusal("POST", "cross-site", null, "mail.example.org", false)).isPresent();
        assertThat(CrossSiteCheck.refusal("DELETE", "same-site", null, "mail.example.org", false)).isPresent();
        assertThat(CrossSiteCheck.refusal("POST", null, "https://evil.example", "mail.example.org", true)).isPresent();
        assertThat(CrossSiteCheck.refusal("POST", null, "http://mail.example.org", "mail.example.org", true)).isPresent(); // other scheme
        assertThat(CrossSiteCheck.refusal("POST", null, "http://mail.example.org:8080", "mail.example.org", false)).isPresent();
        assertThat(CrossSiteCheck.refusal("PATCH", null, "null", "mail.example.org", false)).isPresent();
        assertThat(CrossSiteCheck.refusal("POST", null, "http://mail.example.org", null, false)).isPresent();
    }
}
