package org.mailkeep.mtasts;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.DkimTools;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 8461 policy parsing and MX matching, and a real fetch from openssl s_server with the TXT record in BIND. */
class MtaStsTest {

    @TempDir
    static Path dir;
    static Process server;
    static int port;
    static String domain = "sts" + System.nanoTime() % 100000 + ".example.test";

    @Test
    void parsesPoliciesAndMatchesMxPatterns() {
        MtaStsPolicy policy = MtaStsPolicy.parse("20261129", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 86400\r\n");
        assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(policy.matches("mail.example.com.")).isTrue();
        assertThat(policy.matches("mx1.example.net")).isTrue();
        assertThat(policy.matches("a.b.example.net")).isFalse(); // the wildcard covers one label only (§4.1)
        assertThat(policy.matches("example.net")).isFalse();
        assertThat(MtaStsPolicy.parse("x", "version: STSv1\nmode: testing\nmx: a.example\nmax_age: 9999999999\n").maxAgeSeconds())
                .isEqualTo(MtaStsPolicy.MAX_AGE_LIMIT);
        assertThatThrownBy(() -> MtaStsPolicy.parse("x", "version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n")).hasMessageContaining("STSv1");
        assertThatThrownBy(() -> MtaStsPolicy.parse("x", "version: STSv1\nmode: enforce\nmax_age: 1\n")).hasMessageContaining("no mx");
        assertThat(MtaSts.idOf("v=STSv1; id=20261129T1;")).contains("20261129T1");
        assertThat(MtaSts.idOf("v=STSv1; id=bad-id")).isEmpty();
    }

    @BeforeAll
    static void policyServer() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www/.well-known"));
        Files.writeString(www.resolve("mta-sts.txt"), "version: STSv1\nmode: enforce\nmx: mx." + domain + "\nmax_age: 604800\n");
        DkimTools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=mta-sts." + domain,
                "-addext", "subjectAltName=DNS:mta-sts." + domain, "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()), null);
        port = ApplianceTestResource.freePort();
        server = new ProcessBuilder("openssl", "s_server", "-quiet", "-WWW", "-accept", "127.0.0.1:" + port,
                "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString())
                .directory(dir.resolve("www").toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        DkimTools.run(List.of("nsupdate", "-k", DkimTools.PEERS.resolve("bind/ddns.key").toString()),
                "server 127.0.0.1 5353\nzone example.test\nupdate add _mta-sts." + domain + ". 60 TXT \"v=STSv1; id=1\"\n"
                        + "update add mta-sts." + domain + ". 60 A 127.0.0.1\nsend\n");
    }

    @AfterAll
    static void stop() {
        server.destroy();
    }

    @Test
    void fetchesCachesAndKeepsThePolicy() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
            trust.setCertificateEntry("policy-host", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        Database db = new Database(new DataDirectory(dir.resolve("data")), List.of(new MtaStsSchema()), Integer.MAX_VALUE);
        MtaSts sts = new MtaSts(new DnsjavaResolver(List.of("127.0.0.1:5353")), db, tls, port);
        Optional<MtaStsPolicy> policy = sts.policy(domain);
        assertThat(policy).isPresent();
        assertThat(policy.get().mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(policy.get().matches("mx." + domain)).isTrue();
        server.destroy(); // §5.1: the cached policy stays in force while the policy host is down
        server.waitFor();
        assertThat(sts.policy(domain)).contains(policy.get());
        // a domain without the TXT record has no policy
        assertThat(sts.policy("nosts.example.test")).isEmpty();
        db.close();
    }
}
