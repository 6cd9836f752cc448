package org.mailkeep.tls;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.mailkeep.testsupport.ApplianceTestResource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every listener kind of the running appliance speaks {@link TlsProfile} and nothing else, checked from outside with
 * OpenSSL's own client (issue 15: testssl.sh found CBC suites and client-initiated renegotiation on 465): implicit TLS
 * (SMTP 465, IMAP 993, HTTPS) and STARTTLS (SMTP MX and 587, IMAP 143).
 */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
class TlsProfileTest {

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    /** One listener as s_client reaches it: its port and the s_client options that start TLS on it. */
    record Target(String name, int port, List<String> starttls) {
    }

    List<Target> targets() {
        return List.of(
                new Target("smtp mx (STARTTLS)", ApplianceTestResource.PORTS.get("mailkeep.smtp.port"), List.of("-starttls", "smtp")),
                new Target("submission (STARTTLS)", ApplianceTestResource.PORTS.get("mailkeep.submission.port"), List.of("-starttls", "smtp")),
                new Target("submissions", ApplianceTestResource.PORTS.get("mailkeep.submissions.port"), List.of()),
                new Target("imap (STARTTLS)", ApplianceTestResource.PORTS.get("mailkeep.imap.port"), List.of("-starttls", "imap")),
                new Target("imaps", ApplianceTestResource.PORTS.get("mailkeep.imaps.port"), List.of()),
                new Target("https", https.getPort(), List.of()));
    }

    /** Runs s_client against {@code target} with {@code options}, typing {@code input} lines a second apart; its whole output. */
    static String sClient(Target target, List<String> options, List<String> input) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + target.port(), "-servername", "localhost"));
        command.addAll(target.starttls());
        command.addAll(options);
        java.nio.file.Path output = java.nio.file.Files.createTempFile("s_client", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try (OutputStream in = process.getOutputStream()) {
            Thread.sleep(1500); // the greeting delay of the MX comes before its EHLO
            for (String line : input) {
                in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                in.flush();
                Thread.sleep(1000);
            }
        } catch (IOException closedByPeer) {
            // s_client already ended: the handshake failed, its output says why
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try {
            return java.nio.file.Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            java.nio.file.Files.delete(output);
        }
    }

    /** The suite negotiated, from s_client's "Cipher is X" line; null when no handshake completed. */
    static String cipher(String output) {
        for (String line : output.split("\n")) {
            int at = line.indexOf("Cipher is ");
            if (at >= 0) {
                String cipher = line.substring(at + "Cipher is ".length()).trim();
                return cipher.equals("(NONE)") ? null : cipher;
            }
        }
        return null;
    }

    @Test
    void tls12OffersOnlyAeadSuitesWithForwardSecrecyAndTls13Works() throws Exception {
        for (Target target : targets()) {
            // the appliance's key is P-256 (CertificateStore): the ECDSA suites of the profile
            assertThat(cipher(sClient(target, List.of("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"), List.of())))
                    .as(target.name() + ": the profile's own suite").isEqualTo("ECDHE-ECDSA-AES128-GCM-SHA256");
            assertThat(cipher(sClient(target, List.of("-tls1_3"), List.of()))).as(target.name() + ": TLS 1.3").startsWith("TLS_AES_");
            // CBC, even with forward secrecy: refused (the JDK's defaults offered these)
            for (String weak : List.of("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384")) {
                assertThat(cipher(sClient(target, List.of("-tls1_2", "-cipher", weak), List.of()))).as(target.name() + ": " + weak).isNull();
            }
        }
    }

    /** RFC 5746 renegotiation asked by the client ("R" in s_client) is refused with an alert on every listener. */
    @Test
    void clientInitiatedRenegotiationIsRefused() throws Exception {
        for (Target target : targets()) {
            String output = sClient(target, List.of("-tls1_2"), List.of("R"));
            assertThat(cipher(output)).as(target.name()).isNotNull();
            assertThat(output).as(target.name()).contains("RENEGOTIATING").containsIgnoringCase("handshake failure");
        }
    }
}
