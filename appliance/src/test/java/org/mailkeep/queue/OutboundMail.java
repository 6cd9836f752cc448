package org.mailkeep.queue;

import io.restassured.http.ContentType;
import org.mailkeep.dkim.DkimKeys;
import org.mailkeep.dkim.DkimRecords;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.DkimTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** What the outbound tests share: setup, a message, the Postfix peer's maildir, the sender's INBOX. */
final class OutboundMail {

    static final String ADMIN = "correct-horse-battery-staple";
    static final Path CATCHALL = DkimTools.PEERS.resolve("pf-in/vmail/catchall/new");

    private OutboundMail() {
    }

    static String message(String from, String to, String marker) {
        return "From: Alice <" + from + ">\r\nTo: <" + to + ">\r\nSubject: outbound " + marker + "\r\n"
                + "Date: Sun, 29 Nov 2026 14:00:00 +0000\r\nMessage-ID: <" + marker + "@example.test>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Grüße, " + marker + "\r\n.a line starting with a dot\r\nlast line\r\n";
    }

    /** Completes setup for example.test and creates alice@example.test (the sender, who receives DSNs). */
    static void setUp() throws IOException {
        String token = Files.readString(ApplianceTestResource.dataDir.resolve("setup-token")).trim();
        given().contentType(ContentType.JSON)
                .body(Map.of("token", token, "domain", "example.test", "hostname", "mail.example.test", "adminPassword", ADMIN))
                .post("/api/setup").then().statusCode(200);
        admin().contentType(ContentType.JSON).body(Map.of("address", "alice@example.test", "password", "alice-password-1"))
                .post("/api/mailboxes").then().statusCode(201);
        admin().get("/api/dkim/example.test").then().statusCode(200); // what the wizard's records page does: keys exist from now on
    }

    static io.restassured.specification.RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", ADMIN);
    }

    static long enqueue(MessageStore store, OutboundQueue queue, String to, String marker) throws IOException {
        Path spool = store.newSpoolFile();
        Files.writeString(spool, message("alice@example.test", to, marker), StandardCharsets.UTF_8);
        return queue.enqueue(spool, "alice@example.test", List.of(to), "alice@example.test");
    }

    /** The copy the Postfix MX stored, once it is there. */
    static Path awaitStored(String marker, Duration within) {
        return awaitStored(CATCHALL, marker, within);
    }

    /** The copy with {@code marker} in the maildir folder {@code dir}, once it is there. */
    static Path awaitStored(Path dir, String marker, Duration within) {
        return await().atMost(within).pollInterval(Duration.ofMillis(300)).until(() -> stored(dir, marker), Optional::isPresent).orElseThrow();
    }

    static Optional<Path> stored(String marker) throws IOException {
        return stored(CATCHALL, marker);
    }

    static Optional<Path> stored(Path dir, String marker) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (Files.readString(file, StandardCharsets.ISO_8859_1).contains(marker)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    /** The messages in an account's INBOX, as text. */
    static List<String> inbox(Database db, MessageStore store, String address) {
        List<String> names = db.read(c -> {
            List<String> files = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT m.file FROM mailbox_messages mm JOIN mailboxes b ON b.id = mm.mailbox_id "
                    + "JOIN accounts a ON a.id = b.account_id JOIN messages m ON m.id = mm.message_id WHERE a.address = ? AND b.name = 'INBOX' ORDER BY mm.uid")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        files.add(rs.getString(1));
                    }
                }
            }
            return files;
        });
        List<String> texts = new ArrayList<>();
        for (String name : names) {
            try {
                texts.add(Files.readString(store.file(name), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return texts;
    }

    /** Publishes the domain's DKIM records (as the records API gives them) in BIND; returns them as opendkim TestPublicKeys entries. */
    static Map<String, String> publishDkim(DkimRecords records, DkimKeys keys) throws Exception {
        for (var record : records.records("example.test", "mail.example.test")) {
            DkimTools.publishTxt(record.name(), record.value());
        }
        Map<String, String> published = new LinkedHashMap<>();
        for (DkimKeys.SigningKey key : keys.signingKeys("example.test")) {
            published.put(key.selector() + "._domainkey.example.test", DkimKeys.txtValue(key));
        }
        return published;
    }

    /** The outbound configuration with its real defaults, short timeouts, and {@code overrides} (plain JUnit tests). */
    static OutboundConfig config(Map<String, String> overrides) {
        Map<String, String> values = new java.util.HashMap<>(Map.of("mailkeep.outbound.connect-timeout", "3s",
                "mailkeep.outbound.greeting-timeout", "10s", "mailkeep.outbound.data-end-timeout", "10s"));
        values.putAll(overrides);
        return new io.smallrye.config.SmallRyeConfigBuilder().withMapping(OutboundConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(values).build().getConfigMapping(OutboundConfig.class);
    }
}
