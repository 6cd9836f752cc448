package org.mailkeep.spf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.dns.ZoneResolver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    void resultsFromTheLocalBind(String ip, String sender, SpfResult expected) throws Exception {
        SpfOutcome outcome = new SpfEvaluator(BIND, "mail.example.test").checkMailFrom(ZoneResolver.ip(ip), sender, "client.example.org");
        assertThat(outcome.result()).as(outcome.explanation()).isEqualTo(expected);
        assertThat(pyspf(ip, sender)).as("pyspf, a second RFC 7208 implementation, on the same zones").isEqualTo(expected.keyword());
    }

    /**
     * Debian's pyspf (python3-spf) on the same case. It uses the system resolver, so it runs in a private mount
     * namespace whose /etc/resolv.conf names the peers' unbound (which forwards to this BIND): see PEERS.md.
     */
    static String pyspf(String ip, String sender) throws Exception {
        Path resolv = Files.createTempFile("resolv", ".conf");
        Files.writeString(resolv, "nameserver 127.0.0.53\n");
        String script = "import spf; print(spf.check2(i='" + ip + "', s='" + sender + "', h='client.example.org')[0])";
        Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec /usr/bin/python3 -c \"$1\"",
                resolv.toString(), script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.delete(resolv);
        return out.substring(out.lastIndexOf('\n') + 1);
    }
}
