package org.mailkeep.spf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailkeep.dns.ZoneResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The macro examples of RFC 7208 §7.4, verbatim. */
class MacroExpanderTest {

    static final MacroExpander.Values V4 = new MacroExpander.Values("strong-bad@email.example.com", "email.example.com",
            ZoneResolver.ip("192.0.2.3"), "mx.example.org", "mail.example.test", () -> "unknown");
    static final MacroExpander.Values V6 = new MacroExpander.Values("strong-bad@email.example.com", "email.example.com",
            ZoneResolver.ip("2001:db8::cb01"), "mx.example.org", "mail.example.test", () -> "unknown");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "%{s}|strong-bad@email.example.com",
            "%{o}|email.example.com",
            "%{d}|email.example.com",
            "%{d4}|email.example.com",
            "%{d3}|email.example.com",
            "%{d2}|example.com",
            "%{d1}|com",
            "%{dr}|com.example.email",
            "%{d2r}|example.email",
            "%{l}|strong-bad",
            "%{l-}|strong.bad",
            "%{lr}|strong-bad",
            "%{lr-}|bad.strong",
            "%{l1r-}|strong",
            "%{ir}.%{v}._spf.%{d2}|3.2.0.192.in-addr._spf.example.com",
            "%{lr-}.lp._spf.%{d2}|bad.strong.lp._spf.example.com",
            "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}|bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
            "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}|3.2.0.192.in-addr.strong.lp._spf.example.com",
            "%{d2}.trusted-domains.example.net|example.com.trusted-domains.example.net",
    })
    void rfc7208Section74Ipv4(String macro, String expected) throws Exception {
        assertThat(MacroExpander.expand(macro, V4, false)).isEqualTo(expected);
    }

    @Test
    void rfc7208Section74Ipv6() throws Exception {
        assertThat(MacroExpander.expand("%{ir}.%{v}._spf.%{d2}", V6, false))
                .isEqualTo("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
    }

    @Test
    void escapesAndUrlEncoding() throws Exception {
        assertThat(MacroExpander.expand("a%%b%_c%-d", V4, false)).isEqualTo("a%b c%20d");
        assertThat(MacroExpander.expand("%{S}", V4, false)).isEqualTo("strong-bad%40email.example.com");
        assertThat(MacroExpander.expand("%{c} %{r}", V4, true)).isEqualTo("192.0.2.3 mail.example.test");
    }

    @Test
    void syntaxErrors() {
        assertThatThrownBy(() -> MacroExpander.validate("%{x}", false)).isInstanceOf(SpfRecord.SyntaxError.class);
        assertThatThrownBy(() -> MacroExpander.validate("%{c}", false)).isInstanceOf(SpfRecord.SyntaxError.class); // c only in exp text
        assertThatThrownBy(() -> MacroExpander.validate("%{d0}", false)).isInstanceOf(SpfRecord.SyntaxError.class);
        assertThatThrownBy(() -> MacroExpander.validate("%a", false)).isInstanceOf(SpfRecord.SyntaxError.class);
        assertThatThrownBy(() -> MacroExpander.validate("%{d", false)).isInstanceOf(SpfRecord.SyntaxError.class);
        assertThatThrownBy(() -> MacroExpander.validate("%{d2*}", false)).isInstanceOf(SpfRecord.SyntaxError.class);
    }
}
