package org.mailkeep.queue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.dns.NetworkStatus;
import org.mailkeep.mtasts.MtaSts;
import org.mailkeep.mtasts.MtaStsSchema;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Settings;
import org.mailkeep.store.StoreSchema;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.DkimTools;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MTA-STS enforce end to end (RFC 8461): the destination's {@code _mta-sts} TXT record is in BIND, its policy
 * is served over HTTPS by openssl s_server, the MX is a private Postfix with STARTTLS whose certificate names
 * mail.example.test. An MX the policy does not list gets nothing (the recipient stays queued with the
 * reason); the listed MX gets the message over verified TLS.
 */
class MtaStsDeliveryTest {

    @TempDir
    static Path dir;
    static Process policyServer;
    static PrivateMx.Instance mx;
    static int httpsPort;
    static final String ID = Long.toString(System.nanoTime() % 1_000_000);
    /** MX mail.example.test, as the policy says. */
    static final String GOOD = "sts-ok" + ID + ".example.test";
    /** MX mx2.example.test: an address that works, but not an MX the policy allows. */
    static final String BAD = "sts-bad" + ID + ".example.test";

    @BeforeAll
    static void peers() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www/.well-known"));
        Files.writeString(www.resolve("mta-sts.txt"), "version: STSv1\nmode: enforce\nmx: mail.example.test\nmax_age: 86400\n");
        DkimTools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=mta-sts." + GOOD,
                "-addext", "subjectAltName=DNS:mta-sts." + GOOD + ",DNS:mta-sts." + BAD,
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()), null);
        httpsPort = ApplianceTestResource.freePort();
        policyServer = new ProcessBuilder("openssl", "s_server", "-quiet", "-WWW", "-accept", "127.0.0.1:" + httpsPort,
                "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString())
                .directory(dir.resolve("www").toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        awaitPort(httpsPort);
        StringBuilder update = new StringBuilder("server 127.0.0.1 5353\nzone example.test\nupdate add mx2.example.test. 60 A 127.0.0.1\n");
        for (String domain : List.of(GOOD, BAD)) {
            update.append("update add _mta-sts.").append(domain).append(". 60 TXT \"v=STSv1; id=").append(ID).append("\"\n")
                    .append("update add mta-sts.").append(domain).append(". 60 A 127.0.0.1\n");
        }
        update.append("update add ").append(GOOD).append(". 60 MX 10 mail.example.test.\n")
                .append("update add ").append(BAD).append(". 60 MX 10 mx2.example.test.\nsend\n");
        DkimTools.run(List.of("nsupdate", "-k", DkimTools.PEERS.resolve("bind/ddns.key").toString()), update.toString());
        mx = PrivateMx.start(GOOD + ", " + BAD, "");
    }

    @AfterAll
    static void stop() throws Exception {
        policyServer.destroy();
        PrivateMx.stop(mx);
    }

    static void awaitPort(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
    }

    static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    @Test
    void enforcedPolicyKeepsMailFromUnlistedMxAndDeliversOverVerifiedTlsToTheListedOne() throws Exception {
        DataDirectory dirs = new DataDirectory(dir.resolve("data"));
        Database db = new Database(dirs, List.of(new StoreSchema(), new QueueSchema(), new MtaStsSchema()), Integer.MAX_VALUE);
        DnsjavaResolver resolver = new DnsjavaResolver(List.of("127.0.0.1:5353"));
        Fallback fallback = new Fallback(db, new Settings(db), new NetworkStatus());
        SmtpDelivery delivery = new SmtpDelivery(new MxLookup(resolver), new MtaSts(resolver, db, trusting(dir.resolve("cert.pem")), httpsPort),
                OutboundMail.config(Map.of("mailkeep.outbound.port", Integer.toString(mx.port()))), fallback, trusting(DkimTools.PEERS.resolve("tls.crt")));
        Path message = dir.resolve("message.eml");
        String marker = "mtasts-" + ID;
        Files.writeString(message, OutboundMail.message("alice@example.test", "x@" + GOOD, marker), StandardCharsets.UTF_8);
        SmtpDelivery.Message m = new SmtpDelivery.Message("alice@example.test", message, Files.size(message), new byte[0], true, false, null);

        SmtpDelivery.Attempt refused = delivery.direct(m, BAD, Map.of(1L, "x@" + BAD), "mail.example.test");
        assertThat(refused.outcomes().get(1L).kind()).isEqualTo(Outcome.Kind.TEMPORARY); // stays queued: the policy may be fixed
        assertThat(refused.outcomes().get(1L).text()).isEqualTo("4.7.5 the MTA-STS policy of " + BAD + " allows none of its MX hosts");
        assertThat(refused.trigger()).isNull(); // the destination's policy says nothing about our IP: no relay fallback

        SmtpDelivery.Attempt sent = delivery.direct(m, GOOD, Map.of(2L, "x@" + GOOD), "mail.example.test");
        assertThat(sent.outcomes().get(2L).kind()).isEqualTo(Outcome.Kind.DELIVERED);
        assertThat(sent.outcomes().get(2L).remoteMta()).startsWith("mail.example.test[127.0.0.1]");
        Path stored = OutboundMail.awaitStored(mx.maildir(), marker, Duration.ofSeconds(20));
        assertThat(Files.readString(stored, StandardCharsets.ISO_8859_1)).contains("with ESMTPS");
        assertThat(Files.readString(mx.dir().resolve("maillog"), StandardCharsets.ISO_8859_1)).doesNotContain("x@" + BAD);

        // the same MX with a certificate we cannot verify: no delivery, and no retry in cleartext (RFC 8461 §5)
        SmtpDelivery untrusting = new SmtpDelivery(new MxLookup(resolver), new MtaSts(resolver, db, trusting(dir.resolve("cert.pem")), httpsPort),
                OutboundMail.config(Map.of("mailkeep.outbound.port", Integer.toString(mx.port()))), fallback, SSLContext.getDefault());
        SmtpDelivery.Attempt unverified = untrusting.direct(m, GOOD, Map.of(3L, "y@" + GOOD), "mail.example.test");
        assertThat(unverified.outcomes().get(3L).kind()).isEqualTo(Outcome.Kind.TEMPORARY);
        assertThat(unverified.outcomes().get(3L).text()).contains("4.7.5 MTA-STS: TLS handshake failed");
        assertThat(Files.readString(mx.dir().resolve("maillog"), StandardCharsets.ISO_8859_1)).doesNotContain("y@" + GOOD);
        db.close();
    }
}
