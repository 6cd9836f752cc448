package org.mailkeep.smtp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "250 means on disk": the packaged appliance (a separate JVM with its own data directory and ports) takes
 * smtp-source load plus numbered messages from our own recording client, is killed with SIGKILL in the middle,
 * and restarted. Every numbered message that got its 250 must be in the mailbox exactly once, and no stored
 * message may be partial. Runs in the integration-test phase (after package) of {@code ./mvnw verify}.
 */
class SmtpCrashIT {

    static final int MESSAGES = 2000;
    static final int CLIENT_THREADS = 5;
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String TRAILER = "END-OF-NUMBERED-MESSAGE\r\n";

    @TempDir
    Path work;
    Process appliance;
    final Map<String, String> env = new HashMap<>();
    int smtpPort;
    int httpPort;

    @AfterEach
    void stop() throws Exception {
        if (appliance != null && appliance.isAlive()) {
            appliance.destroy();
            appliance.waitFor(30, TimeUnit.SECONDS);
        }
    }

    void startAppliance() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx256m", "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("appliance.log").toFile()));
        builder.environment().putAll(env);
        appliance = builder.start();
        waitForPort(smtpPort);
        waitForPort(httpPort);
    }

    static void waitForPort(int port) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("port " + port + " does not answer");
    }

    @Test
    void everyAcceptedMessageSurvivesSigkillExactlyOnceAndNothingPartialIsVisible() throws Exception {
        assertThat(JAR).as("run after package").exists();
        smtpPort = SmtpSessionTest.freePort();
        httpPort = SmtpSessionTest.freePort();
        Path data = work.resolve("data");
        env.putAll(Map.of("MAILKEEP_DATA_DIR", data.toString(), "MAILKEEP_BIND", "127.0.0.1", "MAILKEEP_SMTP_PORT", Integer.toString(smtpPort),
                "MAILKEEP_SUBMISSION_PORT", "0", "MAILKEEP_SUBMISSIONS_PORT", "0", "MAILKEEP_IMAP_PORT", "0", "MAILKEEP_IMAPS_PORT", "0",
                "QUARKUS_HTTP_PORT", Integer.toString(httpPort), "QUARKUS_HTTP_SSL_PORT", "0", "MAILKEEP_HARDWARE", "none"));
        env.put("MAILKEEP_SMTP_LIMITS_GREETING_DELAY", "0s");
        env.put("MAILKEEP_SMTP_LIMITS_MAX_CONNECTIONS_PER_IP", "100");
        // the local profile: no clamd, blocklists, greylisting, ACME or public IP checks (nothing may leave the
        // machine), and DNS from the test BIND; what is measured is the store's durability, not the policy
        env.put("QUARKUS_PROFILE", "local");
        env.put("MAILKEEP_DNS_SERVERS", "127.0.0.1:5353");
        startAppliance();
        setUpMailbox(data);

        // load: smtp-source's own 2,000 messages, and our numbered messages whose 250s we record
        Process load = new ProcessBuilder("smtp-source", "-s", "5", "-m", Integer.toString(MESSAGES), "-l", "4096", "-M", "load.example.net",
                "-f", "load@example.net", "-t", "user@crash.test", "127.0.0.1:" + smtpPort)
                .redirectErrorStream(true).redirectOutput(work.resolve("smtp-source.log").toFile()).start();
        Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        for (int i = 0; i < CLIENT_THREADS; i++) {
            clients.submit(() -> send(next, accepted));
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (accepted.size() < MESSAGES / 4 && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        appliance.destroyForcibly(); // SIGKILL in the middle of the run
        appliance.waitFor(30, TimeUnit.SECONDS);
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        load.destroy();
        int acceptedBeforeKill = accepted.size();
        assertThat(acceptedBeforeKill).as("messages accepted before the kill").isGreaterThanOrEqualTo(MESSAGES / 4);
        assertThat(next.get()).as("messages still being sent at the kill").isLessThan(MESSAGES);

        startAppliance();
        try (Stream<Path> spool = Files.list(data.resolve("spool"))) {
            assertThat(spool).as("incomplete spool files are removed at start").isEmpty();
        }
        Map<Integer, Integer> copies = new HashMap<>();
        int checked = 0;
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("mailkeep.db"));
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT m.file, m.size FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id")) {
            Pattern number = Pattern.compile("Subject: crash-(\\d+)\r\n");
            while (rs.next()) {
                Path file = data.resolve("messages").resolve(rs.getString(1));
                byte[] content = Files.readAllBytes(file);
                assertThat((long) content.length).as("indexed size of " + file).isEqualTo(rs.getLong(2));
                String text = new String(content, StandardCharsets.US_ASCII);
                Matcher m = number.matcher(text);
                if (m.find()) {
                    assertThat(text).as("numbered message complete").endsWith(TRAILER);
                    copies.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
                } else {
                    assertThat(text).as("smtp-source message complete").contains("From: <load@example.net>").endsWith("\r\n");
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(acceptedBeforeKill);
        for (int n : accepted) {
            assertThat(copies.get(n)).as("message " + n + " got 250 and must be stored exactly once").isEqualTo(1);
        }
        assertThat(copies.values()).as("no message stored twice").allMatch(c -> c == 1);
        // and the restarted appliance takes mail again
        assertThat(sendOne(MESSAGES + 1)).isTrue();
    }

    private void setUpMailbox(Path data) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String token = Files.readString(data.resolve("setup-token")).trim();
        String setup = "{\"token\":\"" + token + "\",\"domain\":\"crash.test\",\"hostname\":\"mail.crash.test\",\"adminPassword\":\"crash-admin-password\"}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/setup"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(setup)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/mailboxes"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:crash-admin-password".getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"user@crash.test\",\"password\":\"crash-user-password\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    /** Sends numbered messages until the server dies or all are sent; records each number the moment its 250 arrives. */
    private void send(AtomicInteger next, Set<Integer> accepted) {
        try (SmtpClient client = new SmtpClient("127.0.0.1", smtpPort, false)) {
            if (!client.reply().startsWith("220") || !client.command("EHLO recorder.example.net").startsWith("250")) {
                return;
            }
            while (true) {
                int n = next.getAndIncrement();
                if (n >= MESSAGES) {
                    return;
                }
                if (!client.command("MAIL FROM:<recorder@example.net>").startsWith("250")
                        || !client.command("RCPT TO:<user@crash.test>").startsWith("250")
                        || !client.command("DATA").startsWith("354")) {
                    return;
                }
                String reply = client.command(message(n) + ".");
                if (reply == null || !reply.startsWith("250")) {
                    return;
                }
                accepted.add(n);
            }
        } catch (IOException | NullPointerException serverGone) {
            // the kill: whatever had no 250 yet may or may not be stored, but never partially
        }
    }

    private boolean sendOne(int n) throws IOException {
        try (SmtpClient client = new SmtpClient("127.0.0.1", smtpPort, false)) {
            client.reply();
            client.command("EHLO recorder.example.net");
            client.command("MAIL FROM:<recorder@example.net>");
            client.command("RCPT TO:<user@crash.test>");
            client.command("DATA");
            return client.command(message(n) + ".").startsWith("250");
        }
    }

    private static String message(int n) {
        StringBuilder text = new StringBuilder("From: <recorder@example.net>\r\nTo: <user@crash.test>\r\nSubject: crash-" + n + "\r\n\r\n");
        for (int i = 0; i < 40; i++) {
            text.append("line ").append(i).append(" of message ").append(n).append(" ").append("x".repeat(40)).append("\r\n");
        }
        return text.append(TRAILER).toString();
    }
}
