package org.mailkeep.smtp;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailkeep.store.Address;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.ApplianceTestResource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * The running appliance driven by real SMTP programs on loopback: swaks (MX, STARTTLS + AUTH submission,
 * implicit TLS), a Postfix relaying into our MX port, and smtp-source for concurrent sessions.
 */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
class SmtpApplianceTest {

    static final Path POSTFIX_DIR = Path.of(System.getProperty("java.io.tmpdir"), "mailkeep-smtp-relay-" + ProcessHandle.current().pid());

    @Inject
    Directory directory;
    @Inject
    Database db;
    @Inject
    MessageStore store;

    long aliceId;

    @BeforeEach
    void accounts() {
        for (String user : List.of("alice", "bob")) {
            try {
                directory.createAccount(Address.parse(user + "@example.test").orElseThrow(), user + "-password-1", user);
            } catch (ConflictException alreadyThere) {
                // created by an earlier test of this class
            }
        }
        aliceId = directory.account("alice@example.test").orElseThrow().id();
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (Files.exists(POSTFIX_DIR)) {
            run(List.of("../test-support/postfix-instance.sh", "stop", POSTFIX_DIR.toString()));
        }
    }

    static int port(String key) {
        return ApplianceTestResource.PORTS.get(key);
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static Result swaks(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("swaks", "--silent", "1", "--ehlo", "client.example.net", "--timeout", "30"));
        command.addAll(List.of(args));
        return run(command);
    }

    /** The stored messages of alice's folder {@code mailbox} whose text contains {@code marker}. */
    List<String> messages(String mailbox, String marker) {
        return db.read(c -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT m.file FROM mailbox_messages mm JOIN mailboxes b ON b.id = mm.mailbox_id "
                    + "JOIN messages m ON m.id = mm.message_id WHERE b.account_id = ? AND b.name = ?")) {
                ps.setLong(1, aliceId);
                ps.setString(2, mailbox);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        try {
                            String text = Files.readString(store.file(rs.getString(1)), StandardCharsets.UTF_8);
                            if (text.contains(marker)) {
                                result.add(text);
                            }
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
            return result;
        });
    }

    @Test
    void swaksDeliversOverMx() throws Exception {
        Result result = swaks("--server", "127.0.0.1:" + port("mailkeep.smtp.port"), "--from", "someone@example.net",
                "--to", "alice+news@example.test", "--header", "Subject: swaks-mx");
        assertThat(result.exit()).as(result.output()).isZero();
        List<String> stored = messages("INBOX", "Subject: swaks-mx");
        assertThat(stored).hasSize(1);
        // RFC 5321 §4.4: Return-Path first; our Received (and the policy's trace fields, RFC 8601 §5) above the client's header
        assertThat(stored.get(0)).startsWith("Return-Path: <someone@example.net>\r\n")
                .contains("\r\nReceived: from client.example.net ([127.0.0.1])").contains("for <alice+news@example.test>;");
        assertThat(stored.get(0).indexOf("Received: from client.example.net")).isLessThan(stored.get(0).indexOf("Subject: swaks-mx"));
    }

    @Test
    void swaksRelayUnknownUserAndOversizeAreRefused() throws Exception {
        Result relay = swaks("--server", "127.0.0.1:" + port("mailkeep.smtp.port"), "--from", "someone@example.net", "--to", "victim@example.org");
        assertThat(relay.output()).contains("554 5.7.1");
        assertThat(relay.exit()).isNotZero();
        Result unknown = swaks("--server", "127.0.0.1:" + port("mailkeep.smtp.port"), "--from", "someone@example.net", "--to", "nobody@example.test");
        assertThat(unknown.output()).contains("550 5.1.1");
        Result utf8 = swaks("--server", "127.0.0.1:" + port("mailkeep.smtp.port"), "--from", "someone@example.net", "--to", "alice@example..test");
        assertThat(utf8.output()).contains("501 5.1.3");
    }

    @Test
    void swaksSubmitsWithStartTlsAndAuthAndOverImplicitTls() throws Exception {
        Result starttls = swaks("--server", "127.0.0.1:" + port("mailkeep.submission.port"), "-tls", "--auth", "PLAIN",
                "--auth-user", "alice@example.test", "--auth-password", "alice-password-1",
                "--from", "alice@example.test", "--to", "bob@example.test,friend@example.org", "--header", "Subject: swaks-submission");
        assertThat(starttls.exit()).as(starttls.output()).isZero();
        Result implicit = swaks("--server", "127.0.0.1:" + port("mailkeep.submissions.port"), "--tls-on-connect", "--auth", "LOGIN",
                "--auth-user", "bob@example.test", "--auth-password", "bob-password-1",
                "--from", "bob@example.test", "--to", "alice@example.test", "--header", "Subject: swaks-submissions");
        assertThat(implicit.exit()).as(implicit.output()).isZero();
        assertThat(messages("INBOX", "Subject: swaks-submissions").get(0)).contains("with ESMTPSA", "(Authenticated sender: bob@example.test)");
        Result noAuth = swaks("--server", "127.0.0.1:" + port("mailkeep.submission.port"), "-tls",
                "--from", "alice@example.test", "--to", "bob@example.test");
        assertThat(noAuth.output()).contains("530 5.7.0");
        Result badPassword = swaks("--server", "127.0.0.1:" + port("mailkeep.submissions.port"), "--tls-on-connect", "--auth", "PLAIN",
                "--auth-user", "alice@example.test", "--auth-password", "wrong", "--from", "alice@example.test", "--to", "bob@example.test");
        assertThat(badPassword.exit()).isEqualTo(28); // swaks: authentication failed
        int queued = db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM queue_recipients WHERE recipient = 'friend@example.org'")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
        assertThat(queued).isEqualTo(1);
    }

    @Test
    void postfixRelaysIntoOurMx() throws Exception {
        int listen = ApplianceTestResource.freePort();
        Process postfix = new ProcessBuilder("../test-support/postfix-instance.sh", "start", POSTFIX_DIR.toString(), Integer.toString(listen))
                .redirectErrorStream(true).start();
        postfix.getOutputStream().write(("relayhost = [127.0.0.1]:" + port("mailkeep.smtp.port") + "\n").getBytes(StandardCharsets.US_ASCII));
        postfix.getOutputStream().close();
        Result started = new Result(postfix.waitFor(), new String(postfix.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertThat(started.exit()).as(started.output()).isZero();
        Result sent = swaks("--server", "127.0.0.1:" + listen, "--from", "someone@example.net", "--to", "alice@example.test",
                "--header", "Subject: via-postfix");
        assertThat(sent.exit()).as(sent.output()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> !messages("INBOX", "Subject: via-postfix").isEmpty());
        String message = messages("INBOX", "Subject: via-postfix").get(0);
        // Postfix used STARTTLS opportunistically and its own trace header is kept below ours
        assertThat(message).contains("(MailKeep) with ESMTPS id", "(using TLS", "by relay-" + listen + ".example.net (Postfix)");
    }

    @Test
    void smtpSourceConcurrentSessionsAllArrive() throws Exception {
        int before = messages("INBOX", "").size();
        Result result = run(List.of("smtp-source", "-s", "5", "-m", "60", "-l", "2048", "-M", "load.example.net", "-f", "load@example.net",
                "-t", "alice@example.test", "127.0.0.1:" + port("mailkeep.smtp.port")));
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(messages("INBOX", "").size() - before).isEqualTo(60);
    }

    @Test
    void metricsAndHealthReportTheListeners() throws Exception {
        try (SmtpClient client = new SmtpClient("127.0.0.1", port("mailkeep.smtp.port"), false)) {
            assertThat(client.reply()).startsWith("220");
            assertThat(client.command("QUIT")).startsWith("221");
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("mailkeep_smtp_connections_total"), containsString("mailkeep_smtp_store_latency_seconds"));
        given().get("/q/health/ready").then().body(containsString("listening: mx :" + port("mailkeep.smtp.port")));
    }
}
