package org.mailkeep.spf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.dns.ZoneResolver;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each SPF result against the real BIND peer (zones of test-support/peers.sh, "inbound policy" section). */
class SpfBindTest {

    static final DnsjavaResolver BIND = new DnsjavaResolver(List.of("127.0.0.1:5353"));

    @ParameterizedTest
    @CsvSource({
            "192.0.2.10,    alice@spf-pass.test,       PASS",
            "198.51.100.7,  alice@spf-pass.test,       FAIL",
            "192.0.2.10,    alice@spf-fail.test,       FAIL",
            "192.0.2.10,    alice@spf-softfail.test,   SOFTFAIL",
            "192.0.2.10,    alice@spf-neutral.test,    NEUTRAL",
            "192.0.2.10,    alice@spf-none.test,       NONE",
            "192.0.2.10,    alice@nonexistent.spf-none.test, NONE",
            "192.0.2.10,    alice@spf-permerror.test,  PERMERROR",
            "198.51.100.7,  alice@spf-include.test,    PASS",
            "192.0.2.77,    alice@spf-include.test,    PASS",
            "203.0.113.25,  alice@spf-include.test,    PASS",
            "192.0.2.99,    alice@spf-include.test,    PASS",
            "192.0.2.98,    alice@spf-include.test,    FAIL",
            "192.0.2.10,    alice@spf-void.test,       PERMERROR",
            "192.0.2.10,    alice@spf-loop.test,       PERMERROR",
            "192.0.2.10,    alice@example.test,        PASS",
    })
    void resultsFromTheLocalBind(String ip, String sender, SpfResult expected) {
        SpfOutcome outcome = new SpfEvaluator(BIND, "mail.example.test").checkMailFrom(ZoneResolver.ip(ip), sender, "client.example.org");
        assertThat(outcome.result()).as(outcome.explanation()).isEqualTo(expected);
    }
}
