package org.mailkeep.smtp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.auth.PasswordHasher;
import org.mailkeep.maillog.MailEvent;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.checks.PolicyChain;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.queue.OutboundQueue;
import org.mailkeep.queue.QueueSchema;
import org.mailkeep.sender.SenderIdentities;
import org.mailkeep.sender.SenderIdentityCheck;
import org.mailkeep.sender.SenderSchema;
import org.mailkeep.store.Address;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.store.StoreSchema;
import org.mailkeep.testsupport.MutableClock;
import org.mailkeep.tls.CertificateStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real SMTP engine (Vert.x, SQLite store, self-signed TLS) in a temporary data directory, without booting Quarkus,
 * for the tests that drive sessions over real sockets.
 */
abstract class SmtpServerFixture {

    /** Limits with test-sized values; each test changes what it needs before {@link #start}. */
    static final class Limits implements SmtpLimits {
        long maxMessageSize = 100_000;
        int maxRecipients = 5;
        int maxConnections = 50;
        int maxConnectionsPerIp = 20;
        Duration greetingDelay = Duration.ofMillis(150);
        Duration commandTimeout = Duration.ofSeconds(20);
        Duration dataBlockTimeout = Duration.ofSeconds(20);
        int maxJunkCommands = 50;
        Duration maxSessionLength = Duration.ofMinutes(10);

        public long maxMessageSize() { return maxMessageSize; }
        public int maxRecipients() { return maxRecipients; }
        public int maxConnections() { return maxConnections; }
        public int maxConnectionsPerIp() { return maxConnectionsPerIp; }
        public Duration greetingDelay() { return greetingDelay; }
        public Duration commandTimeout() { return commandTimeout; }
        public Duration dataBlockTimeout() { return dataBlockTimeout; }
        public Duration dataTerminationTimeout() { return Duration.ofMinutes(10); }
        public Duration authFailureDelay() { return Duration.ofMillis(100); }
        public int maxAuthFailures() { return 2; }
        public int maxJunkCommands() { return maxJunkCommands; }
        public Duration maxSessionLength() { return maxSessionLength; }
    }

    /** A real inbound check: tags mail whose subject says "spam" as junk, rejects "virus" at DATA, refuses a blocked sender. */
    static final class SubjectCheck implements InboundCheck {
        @Override
        public Verdict mailFrom(SmtpContext context) {
            return context.envelopeFrom().startsWith("blocked@")
                    ? Verdict.reject("550", "5.7.1", "Sender blocked by policy", "test block") : Verdict.ACCEPT;
        }

        @Override
        public Verdict data(SmtpContext context, Path message) {
            String text;
            try {
                text = Files.readString(message, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (text.contains("Subject: virus")) {
                return Verdict.reject("554", "5.7.1", "Virus found", "test virus");
            }
            if (text.contains("Subject: spam")) {
                return Verdict.tag(List.of("X-Spam: yes"), 10, true, "test spam");
            }
            return Verdict.ACCEPT;
        }
    }

    @TempDir
    Path dataDir;
    Vertx vertx;
    Database db;
    Directory directory;
    MessageStore store;
    SmtpServer server;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
    /** 3 failures per client or account within 15 minutes lock out for 1 minute, then 2, ... */
    final AuthGuard authGuard = new AuthGuard(clock, 3, Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofHours(1));
    final Limits limits = new Limits();
    /** The address the listeners bind ("::" takes IPv4 and IPv6 clients). */
    String bind = "127.0.0.1";
    Directory.Account alice;
    Directory.Account bob;
    /** What the session handed to the mail log. */
    final List<MailEvent> mailLog = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws ClassNotFoundException {
        // a @QuarkusTest earlier in this JVM registered the SQLite driver from its own class loader only
        Class.forName("org.sqlite.JDBC");
        vertx = Vertx.vertx();
        DataDirectory dirs = new DataDirectory(dataDir);
        db = new Database(dirs, List.of(new StoreSchema(), new QueueSchema(), new SenderSchema()), Integer.MAX_VALUE);
        directory = new Directory(db, new PasswordHasher(1024, 1, 1)); // small Argon2id parameters: the test is about SMTP
        store = new MessageStore(db, dirs);
        alice = directory.createAccount(Address.parse("alice@example.test").orElseThrow(), "alice-password", "Alice");
        bob = directory.createAccount(Address.parse("bob@example.test").orElseThrow(), "bob-password", "Bob");
        directory.createAlias(Address.parse("info@example.test").orElseThrow(), Address.parse("alice@example.test").orElseThrow());
    }

    void start() throws Exception {
        DataDirectory dirs = new DataDirectory(dataDir);
        server = new SmtpServer(vertx, bind, List.of(new SmtpServer.Listener("mx", freePort(), false, false),
                new SmtpServer.Listener("submission", freePort(), true, false), new SmtpServer.Listener("submissions", freePort(), true, true)),
                limits, directory, store, new OutboundQueue(db, store), new PolicyChain(List.of(new SubjectCheck(), new SenderIdentityCheck(directory, new SenderIdentities(db, directory))), null), authGuard,
                new CertificateStore(dirs), () -> "mail.example.test", new SmtpMetrics(new SimpleMeterRegistry()), mailLog::add);
        server.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
        db.close();
    }

    static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    SmtpClient connect(String listener) throws IOException {
        SmtpServer.Listener l = server.listeners().stream().filter(x -> x.name().equals(listener)).findFirst().orElseThrow();
        return new SmtpClient("127.0.0.1", l.port(), l.implicitTls());
    }

    SmtpClient mx() throws IOException {
        SmtpClient client = connect("mx");
        assertThat(client.reply()).startsWith("220 mail.example.test ESMTP");
        assertThat(client.command("EHLO client.example.net")).contains("250-PIPELINING", "250-SIZE " + limits.maxMessageSize, "250-8BITMIME",
                "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "250-CHUNKING", "250 STARTTLS").doesNotContain("AUTH");
        return client;
    }

    /** Mailbox name and message file content of every stored message of an account, in UID order. */
    List<String[]> mailbox(long accountId) {
        return db.read(c -> {
            List<String[]> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT b.name, m.file FROM mailbox_messages mm JOIN mailboxes b ON b.id = mm.mailbox_id "
                    + "JOIN messages m ON m.id = mm.message_id WHERE b.account_id = ? ORDER BY mm.uid")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        try {
                            result.add(new String[] {rs.getString(1), Files.readString(store.file(rs.getString(2)), StandardCharsets.UTF_8)});
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
            return result;
        });
    }

    int count(String sql) {
        return db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    long spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("spool"))) {
            return files.count();
        }
    }

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }
}
