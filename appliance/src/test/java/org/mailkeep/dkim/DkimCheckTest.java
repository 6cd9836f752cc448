package org.mailkeep.dkim;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.dmarc.DkimResult;
import org.mailkeep.checks.DmarcCheck;
import org.mailkeep.dmarc.DmarcEvaluator;
import org.mailkeep.dmarc.PublicSuffixList;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.dns.ZoneResolver;
import org.mailkeep.checks.PolicyChain;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.checks.SpfCheck;
import org.mailkeep.testsupport.DkimTools;
import org.mailkeep.testsupport.TestMessages;
import org.mailkeep.checks.DkimCheck;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DKIM in the inbound chain: messages signed by our own {@link DkimSigner} with the key whose public half the local
 * BIND publishes at sel._domainkey of the inbound test zones (test-support/peers.sh, inbound_zones), verified by
 * {@link DkimCheck} between SPF and DMARC.
 */
class DkimCheckTest {

    static final DnsjavaResolver BIND = new DnsjavaResolver(List.of("127.0.0.1:5353"));

    @TempDir
    Path spool;

    final PolicyChain chain = new PolicyChain(List.of(
            new SpfCheck(BIND, () -> "mail.example.test"),
            new DkimCheck(new DkimVerifier(BIND)),
            new DmarcCheck(new DmarcEvaluator(BIND, PublicSuffixList.bundled(), () -> 0))), () -> "mail.example.test");

    static DkimKeys.SigningKey peerKey(String domain) throws Exception {
        String pem = Files.readString(DkimTools.PEERS.resolve("bind/inbound-dkim.key"), StandardCharsets.US_ASCII);
        byte[] der = Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        return new DkimKeys.SigningKey(domain, "sel", DkimAlgorithm.RSA_SHA256, PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(der)), "");
    }

    static String signed(String domain, String message) throws Exception {
        List<String> fields = DkimSigner.sign(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)), List.of(peerKey(domain)),
                System.currentTimeMillis() / 1000);
        return String.join("\r\n", fields) + "\r\n" + message;
    }

    record Run(Verdict verdict, SmtpContext context) {
        String authenticationResults() {
            return verdict.headers().stream().filter(h -> h.startsWith("Authentication-Results:")).findFirst().orElseThrow();
        }
    }

    Run deliver(String ip, String mailFrom, String message) {
        SmtpContext context = new SmtpContext("dkim-" + System.nanoTime(), SmtpContext.Listener.MX, ZoneResolver.ip(ip));
        context.heloName("client.example.org");
        context.envelopeFrom(mailFrom);
        assertThat(chain.mailFrom(context).accepted()).isTrue();
        context.recipients().add("bob@example.test");
        return new Run(chain.data(context, TestMessages.write(spool, message)), context);
    }

    @Test
    void goodSignatureAlignsDmarcWhenSpfFails() throws Exception {
        // dmarc-reject.test: SPF allows only 198.51.100.0/24, p=reject; 192.0.2.10 fails SPF
        String message = signed("dmarc-reject.test", TestMessages.plain("boss@dmarc-reject.test", "bob@example.test", "Report", "attached"));
        Run run = deliver("192.0.2.10", "boss@dmarc-reject.test", message);
        assertThat(run.verdict().accepted()).isTrue();
        assertThat(run.context().dkim()).isEqualTo(List.of(new DkimResult("dmarc-reject.test", "pass")));
        assertThat(run.authenticationResults())
                .contains("spf=fail smtp.mailfrom=boss@dmarc-reject.test")
                .contains("dkim=pass header.d=dmarc-reject.test")
                .contains("dmarc=pass header.from=dmarc-reject.test");

        Run unsigned = deliver("192.0.2.10", "boss@dmarc-reject.test",
                TestMessages.plain("boss@dmarc-reject.test", "bob@example.test", "Report", "attached"));
        assertThat(unsigned.verdict().code()).isEqualTo("550");
    }

    @Test
    void tamperedBodyIsDkimFail() throws Exception {
        String message = signed("spf-pass.test", TestMessages.plain("alice@spf-pass.test", "bob@example.test", "Invoice", "Pay 10 EUR"))
                .replace("Pay 10 EUR", "Pay 9000 EUR");
        // SPF passes from 192.0.2.10, so DMARC still passes, and the header tells the broken signature
        Run run = deliver("192.0.2.10", "alice@spf-pass.test", message);
        assertThat(run.verdict().accepted()).isTrue();
        assertThat(run.authenticationResults()).contains("dkim=fail header.d=spf-pass.test").contains("dmarc=pass");

        // without the SPF pass the failed signature does not align: p=reject
        String forged = signed("dmarc-reject.test", TestMessages.plain("boss@dmarc-reject.test", "bob@example.test", "Report", "10 EUR"))
                .replace("10 EUR", "9000 EUR");
        Run rejected = deliver("192.0.2.10", "boss@dmarc-reject.test", forged);
        assertThat(rejected.context().dkim()).isEqualTo(List.of(new DkimResult("dmarc-reject.test", "fail")));
        assertThat(rejected.verdict().code()).isEqualTo("550");
    }
}
