package org.mailkeep.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.DkimTools;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance test of backup and restore, on the packaged appliance (a separate JVM, as on the box):
 * mail arrives through submission (directly and through an alias), an IMAP client files, flags and expunges
 * it, lists, relay credentials and the schedule are set; a backup goes to the "stick"; the appliance stops,
 * its data directory is wiped, a fresh appliance starts on the empty card and is restored from the stick
 * with the setup token. The restored box must show the same mail through IMAP (folders, UIDVALIDITY, UIDs,
 * flags, bodies; read with curl), the same aliases, lists, settings and DNS records, and a message it signs
 * after the restore must verify (opendkim) against the DKIM records published before. Runs after package.
 */
class BackupRestoreIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String ADMIN = "backup-admin-password";
    static final String PASSPHRASE = "a-long-backup-passphrase";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path CATCHALL = DkimTools.PEERS.resolve("pf-in/vmail/catchall/new");

    @TempDir
    Path work;
    Process appliance;
    final Map<String, String> env = new HashMap<>();
    final HttpClient http = HttpClient.newHttpClient();
    int httpPort;
    int submissionPort;
    int imapPort;
    Path data;

    @AfterEach
    void stop() throws Exception {
        stopAppliance();
    }

    @Test
    void backupWipeRestoreGivesTheSameBox() throws Exception {
        assertThat(JAR).as("run after package").exists();
        data = work.resolve("data");
        httpPort = ApplianceTestResource.freePort();
        submissionPort = ApplianceTestResource.freePort();
        imapPort = ApplianceTestResource.freePort();
        env.putAll(Map.of("MAILKEEP_DATA_DIR", data.toString(), "MAILKEEP_BIND", "127.0.0.1",
                "MAILKEEP_SMTP_PORT", Integer.toString(ApplianceTestResource.freePort()), "MAILKEEP_SUBMISSION_PORT", Integer.toString(submissionPort),
                "MAILKEEP_SUBMISSIONS_PORT", "0", "MAILKEEP_IMAP_PORT", Integer.toString(imapPort), "MAILKEEP_IMAPS_PORT", "0",
                "QUARKUS_HTTP_PORT", Integer.toString(httpPort), "QUARKUS_HTTP_SSL_PORT", "0", "MAILKEEP_HARDWARE", "none"));
        // the local profile with DNS from the test BIND: outbound mail for example.net goes to the Postfix peer on 2525
        env.putAll(Map.of("QUARKUS_PROFILE", "local", "MAILKEEP_DNS_SERVERS", "127.0.0.1:5353", "MAILKEEP_OUTBOUND_PORT", "2525",
                "MAILKEEP_BACKUP_TARGET", work.resolve("stick").toString()));
        startAppliance();

        // ---- the box as its owner has used it ----
        String token = Files.readString(data.resolve("setup-token")).trim();
        call("POST", "/api/setup", Map.of("token", token, "domain", "example.test", "hostname", "mail.example.test", "adminPassword", ADMIN), 200);
        call("POST", "/api/mailboxes", Map.of("address", "alice@example.test", "password", "alice-password-1", "displayName", "Alice"), 201);
        call("POST", "/api/mailboxes", Map.of("address", "bob@example.test", "password", "bob-password-12"), 201);
        call("POST", "/api/aliases", Map.of("alias", "info@example.test", "target", "bob@example.test"), 201);
        call("POST", "/api/lists", Map.of("action", "block", "type", "domain", "value", "spam.example", "note", "kept by the backup"), 201);
        call("PUT", "/api/relay", Map.of("mode", "fallback", "host", "127.0.0.1", "port", 2587, "username", "relay-user", "password", "relay-secret"), 200);
        call("PUT", "/api/backup/settings", Map.of("passphrase", PASSPHRASE, "schedule", "02:15"), 200);
        List<String> dkimBefore = dkimRecords(call("GET", "/api/dns/records", null, 200));
        assertThat(dkimBefore).as("rsa and ed25519 keys published").hasSize(2);

        for (int i = 1; i <= 4; i++) {
            submit("alice@example.test", "alice-password-1", "alice@example.test", "to alice " + i);
        }
        submit("alice@example.test", "alice-password-1", "info@example.test", "to bob through the alias");
        awaitMessages("alice@example.test", "alice-password-1", "INBOX", 4);
        awaitMessages("bob@example.test", "bob-password-12", "INBOX", 1);
        imap("alice@example.test", "alice-password-1", "", "CREATE Projects");
        imap("alice@example.test", "alice-password-1", "INBOX", "UID COPY 1:2 Projects");
        imap("alice@example.test", "alice-password-1", "INBOX", "UID STORE 1 +FLAGS (\\Flagged $Important)");
        imap("alice@example.test", "alice-password-1", "INBOX", "UID STORE 3 +FLAGS (\\Seen \\Answered)");
        imap("alice@example.test", "alice-password-1", "INBOX", "UID STORE 2 +FLAGS (\\Deleted)");
        imap("alice@example.test", "alice-password-1", "INBOX", "EXPUNGE"); // UIDs 1, 3, 4 remain: a restore must not renumber

        Map<String, String> mailBefore = new TreeMap<>();
        mailBefore.putAll(imapState("alice@example.test", "alice-password-1"));
        mailBefore.putAll(imapState("bob@example.test", "bob-password-12"));
        assertThat(mailBefore.get("alice@example.test INBOX")).contains("UID 1 ", "\\Flagged", "$Important", "UID 3 ", "\\Answered", "UID 4 ")
                .doesNotContain("UID 2 ");
        assertThat(mailBefore).containsKey("alice@example.test Projects");
        assertThat(mailBefore.get("alice@example.test Projects")).contains("UID 1 ", "UID 2 ");
        String aliases = call("GET", "/api/aliases", null, 200).toString();
        String lists = call("GET", "/api/lists?all=true", null, 200).toString();
        JsonNode relay = call("GET", "/api/relay", null, 200);
        String records = call("GET", "/api/dns/records", null, 200).findValues("value").toString();

        String id = call("POST", "/api/backups", null, 202).get("id").asText();
        awaitIdle();
        JsonNode runs = call("GET", "/api/backups", null, 200);
        assertThat(runs.get(0).get("id").asText()).isEqualTo(id);
        assertThat(runs.get(0).get("state").asText()).as(runs.toString()).isEqualTo("ok");

        Map<String, String> bodiesBefore = imapBodies(mailBefore, Map.of("alice@example.test", "alice-password-1", "bob@example.test", "bob-password-12"));
        assertThat(bodiesBefore).hasSize(6);
        assertThat(bodiesBefore.get("alice@example.test INBOX 4")).contains("Subject: to alice 4", "Body of to alice 4");
        assertThat(bodiesBefore.get("bob@example.test INBOX 1")).contains("Subject: to bob through the alias");

        // ---- the card dies: a fresh one, an empty data directory ----
        stopAppliance();
        BackupStick.deleteTree(data);
        startAppliance();
        assertThat(call("GET", "/api/status", null, 200).get("setupComplete").asBoolean()).isFalse();
        String newToken = Files.readString(data.resolve("setup-token")).trim();
        JsonNode offered = call("GET", "/api/restore", null, 200);
        assertThat(offered.get(0).get("id").asText()).isEqualTo(id);
        call("POST", "/api/restore", Map.of("token", newToken, "backupId", id, "passphrase", "not the passphrase at all"), 400);
        call("POST", "/api/restore", Map.of("token", newToken, "backupId", id, "passphrase", PASSPHRASE), 202);
        JsonNode status = awaitIdle();
        assertThat(status.get("restoreError").isNull()).as(status.toString()).isTrue();
        assertThat(status.get("setupComplete").asBoolean()).isTrue();

        // ---- the same box ----
        Map<String, String> mailAfter = new TreeMap<>();
        mailAfter.putAll(imapState("alice@example.test", "alice-password-1"));
        mailAfter.putAll(imapState("bob@example.test", "bob-password-12"));
        assertThat(mailAfter).isEqualTo(mailBefore);
        Map<String, String> bodiesAfter = imapBodies(mailAfter, Map.of("alice@example.test", "alice-password-1", "bob@example.test", "bob-password-12"));
        assertThat(bodiesAfter).isEqualTo(bodiesBefore);
        assertThat(call("GET", "/api/aliases", null, 200).toString()).isEqualTo(aliases);
        assertThat(call("GET", "/api/lists?all=true", null, 200).toString()).isEqualTo(lists);
        assertThat(call("GET", "/api/relay", null, 200)).isEqualTo(relay);
        assertThat(relay.get("passwordSet").asBoolean()).isTrue();
        assertThat(call("GET", "/api/backup/settings", null, 200).get("schedule").asText()).isEqualTo("02:15");
        assertThat(call("GET", "/api/dns/records", null, 200).findValues("value").toString()).isEqualTo(records);

        // a message signed after the restore verifies against the DKIM records published before it
        String marker = "after-restore-" + System.nanoTime();
        submit("alice@example.test", "alice-password-1", "carol@example.net", marker);
        Path delivered = awaitCatchall(marker);
        Map<String, String> published = new LinkedHashMap<>();
        for (String record : dkimBefore) {
            String[] nameValue = record.split(" ", 2);
            published.put(nameValue[0], nameValue[1]);
        }
        String verdict = DkimTools.opendkim(delivered, published);
        assertThat(verdict).containsPattern("verification \\(s=[^,]+, d=example.test, \\d+-bit key\\) succeeded");
    }

    // ---- the appliance ----

    void startAppliance() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx256m", "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("appliance.log").toFile()));
        builder.environment().putAll(env);
        appliance = builder.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        for (int port : new int[] {httpPort, imapPort, submissionPort}) {
            while (true) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException notYet) {
                    assertThat(Instant.now()).as("port " + port + " answers; see " + work.resolve("appliance.log")).isBefore(deadline);
                    assertThat(appliance.isAlive()).as("appliance running; see " + work.resolve("appliance.log")).isTrue();
                    Thread.sleep(100);
                }
            }
        }
    }

    void stopAppliance() throws InterruptedException {
        if (appliance != null && appliance.isAlive()) {
            appliance.destroy();
            appliance.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Waits until no backup or restore runs; returns the last /api/status. */
    JsonNode awaitIdle() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            JsonNode status = call("GET", "/api/status", null, 200);
            if (status.get("operation").isNull()) {
                return status;
            }
            assertThat(Instant.now()).as("operation ends: " + status).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    JsonNode call(String method, String path, Object body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    /** The DKIM TXT records of /api/dns/records as "name value", the quoted strings joined. */
    static List<String> dkimRecords(JsonNode records) {
        List<String> result = new ArrayList<>();
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher("");
        for (JsonNode record : records) {
            if (record.get("name").asText().contains("._domainkey.")) {
                StringBuilder value = new StringBuilder();
                quoted.reset(record.get("value").asText());
                while (quoted.find()) {
                    value.append(quoted.group(1));
                }
                result.add(record.get("name").asText().replaceAll("\\.$", "") + " " + (value.length() == 0 ? record.get("value").asText() : value));
            }
        }
        return result;
    }

    // ---- mail clients: swaks for submission, curl for IMAP ----

    void submit(String user, String password, String to, String subject) throws Exception {
        String message = "From: <" + user + ">\r\nTo: <" + to + ">\r\nSubject: " + subject + "\r\nDate: Sun, 29 Nov 2026 14:00:00 +0000\r\n"
                + "Message-ID: <" + subject.replace(' ', '-') + "@example.test>\r\n\r\nBody of " + subject + "\r\n";
        Path file = Files.writeString(work.resolve("message.eml"), message);
        String out = DkimTools.run(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(submissionPort), "-tls",
                "--auth", "PLAIN", "--auth-user", user, "--auth-password", password, "--from", user, "--to", to, "--data", file.toString()), null);
        assertThat(out).as(out).contains("[exit 0]");
    }

    String imap(String user, String password, String mailbox, String command) throws Exception {
        String[] folderAndSection = mailbox.split(";", 2); // "INBOX;UID=3": the folder is encoded, the section not
        String url = "imap://localhost:" + imapPort + "/" + URLEncoder.encode(folderAndSection[0], StandardCharsets.UTF_8).replace("+", "%20")
                + (folderAndSection.length > 1 ? ";" + folderAndSection[1] : "");
        List<String> curl = new ArrayList<>(List.of("curl", "-sS", "--ssl-reqd", "--cacert", data.resolve("tls/cert.pem").toString(),
                "-u", user + ":" + password, url));
        if (command != null) {
            curl.addAll(List.of("-X", command));
        }
        String out = DkimTools.run(curl, null);
        assertThat(out).as(String.join(" ", curl) + ": " + out).endsWith("[exit 0]");
        return out.replace("\r\n", "\n");
    }

    /** Per folder of the account: its UIDVALIDITY and each message's UID and flags. */
    Map<String, String> imapState(String user, String password) throws Exception {
        Map<String, String> state = new TreeMap<>();
        for (String name : folders(user, password)) {
            String examine = imap(user, password, "", "EXAMINE \"" + name + "\"");
            Matcher validity = Pattern.compile("UIDVALIDITY (\\d+)").matcher(examine);
            assertThat(validity.find()).as(examine).isTrue();
            // \Recent is not stored: it belongs to the first IMAP4rev1 session that sees a message (RFC 3501 §2.3.2)
            String messages = examine.contains("* 0 EXISTS") ? ""
                    : imap(user, password, name, "UID FETCH 1:* (UID FLAGS)").replaceAll(" ?\\\\Recent", "").replace("( ", "(");
            state.put(user + " " + name, "UIDVALIDITY " + validity.group(1) + "\n" + messages);
        }
        return state;
    }

    /** Every message of {@link #imapState}, whole, by "user folder uid" (curl's fetch sets \\Seen: read the flags first). */
    Map<String, String> imapBodies(Map<String, String> state, Map<String, String> passwords) throws Exception {
        Map<String, String> bodies = new TreeMap<>();
        Pattern uid = Pattern.compile("\\(UID (\\d+) ");
        for (Map.Entry<String, String> folder : state.entrySet()) {
            String[] userAndFolder = folder.getKey().split(" ", 2);
            Matcher m = uid.matcher(folder.getValue());
            while (m.find()) {
                bodies.put(folder.getKey() + " " + m.group(1),
                        imap(userAndFolder[0], passwords.get(userAndFolder[0]), userAndFolder[1] + ";UID=" + m.group(1), null));
            }
        }
        return bodies;
    }

    List<String> folders(String user, String password) throws Exception {
        List<String> names = new ArrayList<>();
        Matcher folder = Pattern.compile("\\* LIST \\([^)]*\\) \"[^\"]*\" \"?([^\"\\n]+)\"?").matcher(imap(user, password, "", null));
        while (folder.find()) {
            names.add(folder.group(1).trim());
        }
        return names;
    }

    void awaitMessages(String user, String password, String mailbox, int count) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!imap(user, password, "", "EXAMINE " + mailbox).contains("* " + count + " EXISTS")) {
            assertThat(Instant.now()).as(user + " receives " + count + " messages").isBefore(deadline);
            Thread.sleep(200);
        }
    }

    static Path awaitCatchall(String marker) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            if (Files.isDirectory(CATCHALL)) {
                try (Stream<Path> files = Files.list(CATCHALL)) {
                    for (Path file : files.toList()) {
                        if (Files.readString(file, StandardCharsets.ISO_8859_1).contains(marker)) {
                            return file;
                        }
                    }
                }
            }
            assertThat(Instant.now()).as("message " + marker + " reaches the Postfix peer").isBefore(deadline);
            Thread.sleep(300);
        }
    }
}
