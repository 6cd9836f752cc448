package org.mailkeep.policy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.TestMessages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbound policy end to end through the running appliance, with real clients on loopback: swaks against the MX
 * and submission ports, curl against IMAPS; the checks ask the real peers (clamd on 13310 with the EICAR signature,
 * BIND on 5353 with the zen.test DNSBL listing 127.0.0.2). Greylisting and the AUTH lockout are configured short.
 */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(InboundApplianceTest.Peers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InboundApplianceTest {

    public static class Peers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailkeep.dnsbl.zones", "zen.test:1", "mailkeep.clamd.address", "127.0.0.1:13310",
                    "mailkeep.greylisting.enabled", "true", "mailkeep.greylisting.delay", "2s",
                    "mailkeep.limits.auth-failures", "3", "mailkeep.limits.lockout", "3s");
        }
    }

    static final String BOB_PASSWORD = "bob-secret-123";

    record Result(int exit, String output) {
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** swaks to our MX from {@code source}, envelope sender in a BIND zone without SPF record (spf=none). */
    static Result mx(String source, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("swaks", "--ehlo", "client.example.net", "--timeout", "30",
                "--local-interface", source, "--server", "127.0.0.1:" + ApplianceTestResource.PORTS.get("mailkeep.smtp.port"),
                "--from", "someone@spf-none.test", "--to", "bob@example.test"));
        command.addAll(List.of(args));
        return run(command);
    }

    static Result submit(String password) throws IOException, InterruptedException {
        return run(List.of("swaks", "--ehlo", "laptop", "--timeout", "30", "--server", "127.0.0.1:" + ApplianceTestResource.PORTS.get("mailkeep.submissions.port"),
                "--tls-on-connect", "--auth", "PLAIN", "--auth-user", "bob@example.test", "--auth-password", password, "--quit-after", "AUTH"));
    }

    static Result imap(String url) throws IOException, InterruptedException {
        return run(List.of("curl", "-sS", "-v", "-k", "--user", "bob@example.test:" + BOB_PASSWORD,
                "imaps://127.0.0.1:" + ApplianceTestResource.PORTS.get("mailkeep.imaps.port") + url));
    }

    static Path attachment(String name, byte[] content) throws IOException {
        Path file = ApplianceTestResource.dataDir.resolve("attachments").resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    @Test
    @Order(0)
    void setUp() throws Exception {
        String token = Files.readString(ApplianceTestResource.dataDir.resolve("setup-token")).trim();
        String admin = "correct-horse-battery-staple";
        given().contentType(ContentType.JSON).body(Map.of("token", token, "domain", "example.test", "hostname", "mail.example.test",
                "adminPassword", admin)).post("/api/setup").then().statusCode(200);
        given().auth().preemptive().basic("admin", admin).contentType(ContentType.JSON)
                .body(Map.of("address", "bob@example.test", "password", BOB_PASSWORD)).post("/api/mailboxes").then().statusCode(201);
    }

    @Test
    @Order(1)
    void greylistedFirstThenDeliveredWithAuthenticationResultsAndSpamStatus() throws Exception {
        Result first = mx("127.0.0.1", "--header", "Subject: clean-e2e");
        assertThat(first.output()).contains("<** 451 4.7.1");
        assertThat(first.exit()).isNotZero();
        Thread.sleep(2500); // mailkeep.greylisting.delay=2s
        Result retry = mx("127.0.0.1", "--header", "Subject: clean-e2e");
        assertThat(retry.exit()).as(retry.output()).isZero();
        Result stored = imap("/INBOX;UID=1");
        assertThat(stored.output()).contains("Subject: clean-e2e")
                .contains("Authentication-Results: mail.example.test;")
                .contains("spf=none smtp.mailfrom=someone@spf-none.test", "dkim=none", "dmarc=none")
                .contains("X-Spam-Status: No, score=");
    }

    @Test
    @Order(2)
    void eicarAttachmentIsRefusedNamingTheSignature() throws Exception {
        Result result = mx("127.0.0.1", "--header", "Subject: eicar", "--attach",
                "@" + attachment("eicar.com.txt", TestMessages.EICAR.getBytes(StandardCharsets.US_ASCII)));
        assertThat(result.output()).containsPattern("<\\*\\* 554 5\\.7\\.1 Virus found: Test\\.EICAR\\.NDB");
        assertThat(result.exit()).isNotZero();
    }

    @Test
    @Order(3)
    void executableInsideZipIsRefused() throws Exception {
        byte[] zip = TestMessages.zip("invoice.exe", "MZ this is not really a program".getBytes(StandardCharsets.US_ASCII));
        Result result = mx("127.0.0.1", "--header", "Subject: zipped exe", "--attach-type", "application/zip",
                "--attach", "@" + attachment("invoice.zip", zip));
        assertThat(result.output()).contains("<** 554 5.7.1 Attachment not accepted").contains("invoice.exe");
        assertThat(result.exit()).isNotZero();
    }

    @Test
    @Order(4)
    void listedClientIsRefusedNamingTheList() throws Exception {
        Result result = mx("127.0.0.2", "--header", "Subject: from a listed host"); // zen.test lists 127.0.0.2
        assertThat(result.output()).contains("554 5.7.1").contains("zen.test");
        assertThat(result.exit()).isNotZero();
    }

    @Test
    @Order(5)
    void bruteForceLocksOutSmtpAndImapUntilTheLockoutEnds() throws Exception {
        for (int i = 0; i < 3; i++) { // mailkeep.limits.auth-failures=3
            assertThat(submit("guess-" + i).output()).contains("<~* 535 5.7.8");
        }
        Result smtp = submit(BOB_PASSWORD);
        assertThat(smtp.output()).contains("<~* 454 4.7.0");
        assertThat(smtp.exit()).isNotZero();
        assertThat(imap("/").output()).contains("NO [UNAVAILABLE]"); // one lockout for both protocols
        Thread.sleep(3500); // mailkeep.limits.lockout=3s
        Result after = submit(BOB_PASSWORD);
        assertThat(after.output()).contains("<~  235 2.7.0");
        assertThat(after.exit()).as(after.output()).isZero();
        assertThat(imap("/").exit()).isZero();
    }
}
