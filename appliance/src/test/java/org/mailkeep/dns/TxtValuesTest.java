package org.mailkeep.dns;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TxtValuesTest {

    @Test
    void splitsIntoStringsOfAtMost255OctetsAndJoinsBack() {
        String value = "v=DKIM1; p=" + "A".repeat(600) + "é".repeat(200);
        List<String> parts = TxtValues.split(value);
        assertThat(parts).allSatisfy(p -> assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255));
        assertThat(TxtValues.join(parts)).isEqualTo(value);
    }

    @Test
    void unquotesPastedPresentationForms() {
        assertThat(TxtValues.unquote("\"v=spf1 \" \"mx -all\"")).isEqualTo("v=spf1 mx -all");
        assertThat(TxtValues.unquote("\"say \\\"hi\\\"\"")).isEqualTo("say \"hi\"");
        assertThat(TxtValues.unquote("  v=spf1 mx -all ")).isEqualTo("v=spf1 mx -all");
    }

    @Test
    void kindAndNormalization() {
        assertThat(TxtValues.kind("v=DMARC1; p=none")).isEqualTo("v=dmarc1");
        assertThat(TxtValues.kind("v=spf1 mx")).isEqualTo("v=spf1");
        assertThat(TxtValues.kind("google-site-verification=x")).isEmpty();
        assertThat(TxtValues.normalize("v=DMARC1;p=quarantine;  rua=mailto:a@b;")).isEqualTo("v=DMARC1; p=quarantine; rua=mailto:a@b");
    }
}
