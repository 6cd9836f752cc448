package org.mailkeep.dnsbl;

import org.junit.jupiter.api.Test;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.dns.ZoneResolver;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Trust;
import org.mailkeep.policy.Verdict;
import org.mailkeep.checks.DnsblCheck;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5782 query names, and weights, thresholds and allowlists against the zen.test zone of the local BIND. */
class DnsblCheckTest {

    static final DnsjavaResolver BIND = new DnsjavaResolver(List.of("127.0.0.1:5353"));

    static SmtpContext mx(String ip) {
        return new SmtpContext("t", SmtpContext.Listener.MX, ZoneResolver.ip(ip));
    }

    @Test
    void queryNamesOfRfc5782() {
        DnsList list = DnsList.parse("bl.example:2.5");
        assertThat(list.weight()).isEqualTo(2.5);
        assertThat(list.queryName(ZoneResolver.ip("192.0.2.99"))).isEqualTo("99.2.0.192.bl.example"); // §2.1
        assertThat(list.queryName(ZoneResolver.ip("2001:db8:1:2:3:4:567:89ab")))                        // §2.4
                .isEqualTo("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example");
    }

    @Test
    void weightBelowThresholdScoresAtOrAboveRejects() {
        Verdict scored = new DnsblCheck(BIND, List.of(DnsList.parse("zen.test:0.4")), List.of(), 1.0).connect(mx("127.0.0.2"));
        assertThat(scored.accepted()).isTrue();
        assertThat(scored.score()).isEqualTo(1.0); // 0.4 × 2.5 points
        Verdict rejected = new DnsblCheck(BIND, List.of(DnsList.parse("zen.test:0.6"), DnsList.parse("zen.test:0.4")), List.of(), 1.0)
                .connect(mx("127.0.0.2"));
        assertThat(rejected.code()).isEqualTo("554");
        assertThat(new DnsblCheck(BIND, List.of(DnsList.parse("zen.test")), List.of(), 1.0).connect(mx("127.0.0.1")).accepted()).isTrue(); // §5: 127.0.0.1 is never listed
    }

    @Test
    void allowlistedIpIsTrustedAndNotBlocked() {
        SmtpContext context = mx("127.0.0.2");
        Verdict v = new DnsblCheck(BIND, List.of(DnsList.parse("zen.test")), List.of(DnsList.parse("zen.test")), 1.0).connect(context);
        assertThat(v.accepted()).isTrue();
        assertThat(Trust.trusted(context)).isEqualTo("DNS allowlist zen.test");
    }
}
