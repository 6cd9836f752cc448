package org.mailkeep.spf;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mailkeep.net.Cidr;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the SPF record parser ({@link SpfRecord}, RFC 7208 §4.6 and §12) and macro expansion ({@link MacroExpander},
 * §7) with what any domain can publish. The one bad-input outcome is {@link SpfRecord.SyntaxError} (a permerror,
 * §4.6); anything else thrown is a crash. Checked for a record that parses: every domain-spec is a valid
 * macro-string and expands without error for a real sender, CIDR lengths are in range (§5.6), ip4/ip6 networks are
 * networks of their family.
 */
class SpfFuzzTest {

    private static final MacroExpander.Values VALUES;

    static {
        try {
            VALUES = new MacroExpander.Values("strong-bad@email.example.com", "email.example.com",
                    InetAddress.getByName("2001:db8::cb01"), "mx.example.org", "mx.example.net", () -> "mx.example.org");
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void record(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        SpfRecord record;
        try {
            record = SpfRecord.parse(text);
        } catch (SpfRecord.SyntaxError e) {
            return;
        }
        assertThat(SpfRecord.isSpf1(text)).isTrue();
        for (SpfRecord.Directive d : record.directives()) {
            assertThat(d.qualifier()).isIn('+', '-', '~', '?');
            assertThat(d.cidr4()).isBetween(-1, 32);
            assertThat(d.cidr6()).isBetween(-1, 128);
            if (d.domainSpec() != null) {
                expands(d.domainSpec());
            }
            if (d.network() != null) {
                assertThat(Cidr.parse(d.network())).as("network of %s", d).isPresent();
            }
        }
        if (record.redirect() != null) {
            expands(record.redirect());
        }
        if (record.explanation() != null) {
            expands(record.explanation());
        }
    }

    /** Explanation text (§6.2) as the exp= TXT record of a domain gives it. */
    @FuzzTest(maxDuration = "10s")
    void explanation(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            String expanded = MacroExpander.expand(text, VALUES, true);
            assertThat(expanded).doesNotContain("\r", "\n", "\0");
        } catch (SpfRecord.SyntaxError e) {
            // not a macro-string: the explanation is not used (§6.2)
        }
    }

    private static void expands(String domainSpec) {
        try {
            MacroExpander.expand(domainSpec, VALUES, false);
        } catch (SpfRecord.SyntaxError e) {
            throw new AssertionError("a domain-spec the parser accepted does not expand: " + domainSpec, e);
        }
    }
}
