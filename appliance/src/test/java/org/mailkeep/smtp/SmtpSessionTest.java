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
import org.mailkeep.policy.PolicyChain;
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
 * The session state machine driven over real sockets against a real engine (Vert.x, SQLite store, self-signed
 * TLS) in a temporary data directory, without booting Quarkus.
 */
class SmtpSessionTest {

    /** Limits with test-sized values; each test changes what it needs before {@link #start}. */
    static final class Limits implements SmtpLimits {
        long maxMessageSize = 100_000;
        int maxRecipients = 5;
        int maxConnections = 50;
        int maxConnectionsPerIp = 20;
        Duration greetingDelay = Duration.ofMillis(150);
        Duration commandTimeout = Duration.ofSeconds(20);
        Duration dataBlockTimeout = Duration.ofSeconds(20);

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
        server = new SmtpServer(vertx, "127.0.0.1", List.of(new SmtpServer.Listener("mx", freePort(), false, false),
                new SmtpServer.Listener("submission", freePort(), true, false), new SmtpServer.Listener("submissions", freePort(), true, true)),
                limits, directory, store, new OutboundQueue(db, store), new PolicyChain(List.of(new SubjectCheck(), new SenderIdentityCheck(directory, new SenderIdentities(db, directory)))), authGuard,
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

    @Test
    void mxStoresOneFileForSeveralLocalRecipientsWithTraceHeaders() throws Exception {
        start();
        try (SmtpClient c = mx()) {
            assertThat(c.command("MAIL FROM:<sender@example.net> SIZE=200")).startsWith("250 2.1.0");
            assertThat(c.command("RCPT TO:<alice@example.test>")).startsWith("250 2.1.5");
            assertThat(c.command("RCPT TO:<info@example.test>")).startsWith("250 2.1.5"); // alias of alice: one copy
            assertThat(c.command("RCPT TO:<bob+lists@Example.TEST>")).startsWith("250 2.1.5");
            assertThat(c.command("DATA")).startsWith("354");
            assertThat(c.command("Subject: hello\r\n\r\n..dot line\r\nbody\r\n.")).startsWith("250 2.0.0");
            assertThat(c.command("QUIT")).startsWith("221");
        }
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(1);
        assertThat(count("SELECT refcount FROM messages")).isEqualTo(2);
        List<String[]> inbox = mailbox(alice.id());
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0)[0]).isEqualTo("INBOX");
        String message = inbox.get(0)[1];
        assertThat(message).startsWith("Return-Path: <sender@example.net>\r\nReceived: from client.example.net ([127.0.0.1])\r\n")
                .contains("by mail.example.test (MailKeep) with ESMTP id ")
                .endsWith("\r\nSubject: hello\r\n\r\n.dot line\r\nbody\r\n")
                .doesNotContain("for <"); // several recipients: no "for" clause (RFC 5321 §4.4 privacy)
        assertThat(mailbox(bob.id())).hasSize(1);
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void quotaRefusesAFullMailboxAtRcptAndAnOversizeMessageAtData() throws Exception {
        directory.setQuota("bob@example.test", 3000);
        start();
        String body = "Subject: fits\r\n\r\n" + "x".repeat(998) + "\r\n.";
        try (SmtpClient c = mx()) {
            c.command("MAIL FROM:<sender@example.net>");
            c.command("RCPT TO:<bob@example.test>");
            c.command("DATA");
            assertThat(c.command(body)).startsWith("250 2.0.0");
        }
        long used = directory.usedBytes(bob.id());
        assertThat(used).isEqualTo(count("SELECT size FROM messages")).isGreaterThan(1000); // the running counter, headers included
        try (SmtpClient c = mx()) {
            c.command("MAIL FROM:<sender@example.net>");
            c.command("RCPT TO:<bob@example.test>");
            c.command("DATA"); // would fit an empty mailbox, not this one: the sender may retry later
            assertThat(c.command("Subject: later\r\n\r\n" + "y".repeat(998) + "\r\n" + "y".repeat(998) + "\r\n.")).startsWith("452 4.2.2");
            c.command("MAIL FROM:<sender@example.net>");
            c.command("RCPT TO:<bob@example.test>");
            c.command("DATA"); // larger than the quota itself: permanent
            assertThat(c.command("Subject: never\r\n\r\n" + ("z".repeat(998) + "\r\n").repeat(4) + ".")).startsWith("552 5.2.2");
        }
        directory.setQuota("bob@example.test", used);
        try (SmtpClient c = mx()) {
            c.command("MAIL FROM:<sender@example.net>");
            assertThat(c.command("RCPT TO:<bob@example.test>")).isEqualTo("452 4.2.2 mailbox full");
            assertThat(c.command("RCPT TO:<alice@example.test>")).startsWith("250"); // no quota
        }
        assertThat(mailbox(bob.id())).hasSize(1);
        assertThat(mailLog).extracting(MailEvent::result, MailEvent::reason).contains(
                org.assertj.core.groups.Tuple.tuple(MailEvent.Result.TEMPFAILED, "mailbox full"));
        directory.setQuota("bob@example.test", 0);
        db.write(c -> c.createStatement().executeUpdate("DELETE FROM mailbox_messages")); // an expunge: the counter follows
        assertThat(directory.usedBytes(bob.id())).isZero();
    }

    @Test
    void pipelinedTransactionIsAnsweredInOrder() throws Exception {
        start();
        try (SmtpClient c = mx()) {
            c.send("MAIL FROM:<>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            assertThat(c.reply()).startsWith("250 2.1.0");
            assertThat(c.reply()).startsWith("550 5.1.1");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("354");
            c.send("Subject: bounce\r\n\r\nx\r\n.\r\nRSET\r\nNOOP\r\nVRFY alice\r\nHELP\r\nEXPN x\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 OK");
            assertThat(c.reply()).startsWith("250 2.0.0");
            assertThat(c.reply()).startsWith("250 2.0.0");
            assertThat(c.reply()).startsWith("252 2.5.0");
            assertThat(c.reply()).startsWith("214");
            assertThat(c.reply()).startsWith("502 5.5.1");
        }
        assertThat(mailbox(alice.id()).get(0)[1]).startsWith("Return-Path: <>\r\n").contains("\tfor <alice@example.test>;");
    }

    @Test
    void mxRefusesRelayingUnknownUsersBadAddressesAndOutOfOrderCommands() throws Exception {
        start();
        try (SmtpClient c = connect("mx")) {
            c.reply();
            assertThat(c.command("MAIL FROM:<a@example.net>")).startsWith("503 5.5.1");
            assertThat(c.command("EHLO")).startsWith("501 5.5.4");
            c.command("HELO client.example.net");
            assertThat(c.command("RCPT TO:<alice@example.test>")).startsWith("503 5.5.1");
            assertThat(c.command("MAIL FROM:<not an address>")).startsWith("501 5.1.7");
            assertThat(c.command("MAIL FROM:<a@example.net> FOO=bar")).startsWith("555 5.5.4");
            assertThat(c.command("MAIL FROM:<jörg@example.net>")).startsWith("553 5.6.7");
            assertThat(c.command("MAIL FROM:<a@example.net>")).startsWith("250");
            assertThat(c.command("MAIL FROM:<a@example.net>")).startsWith("503 5.5.1");
            assertThat(c.command("RCPT TO:<someone@example.org>")).startsWith("554 5.7.1");
            assertThat(c.command("RCPT TO:<nobody@example.test>")).startsWith("550 5.1.1");
            assertThat(c.command("RCPT TO:<alice@@example.test>")).startsWith("501 5.1.3");
            assertThat(c.command("RCPT TO:alice@example.test")).startsWith("501 5.1.3");
            assertThat(c.command("DATA")).startsWith("554 5.5.1");
            assertThat(c.command("AUTH PLAIN")).startsWith("502 5.5.1");
        }
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
    }

    @Test
    void tooManyRecipients() throws Exception {
        limits.maxRecipients = 2;
        start();
        try (SmtpClient c = mx()) {
            c.command("MAIL FROM:<a@example.net>");
            assertThat(c.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(c.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(c.command("RCPT TO:<info@example.test>")).startsWith("452 4.5.3");
        }
    }

    @Test
    void oversizeMessagesAreRefusedWhetherDeclaredOrStreamed() throws Exception {
        limits.maxMessageSize = 5000;
        start();
        try (SmtpClient c = mx()) {
            assertThat(c.command("MAIL FROM:<a@example.net> SIZE=5001")).startsWith("552 5.3.4");
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            StringBuilder big = new StringBuilder("Subject: big\r\n\r\n");
            for (int i = 0; i < 200; i++) {
                big.append("x".repeat(70)).append("\r\n");
            }
            assertThat(c.command(big + ".")).startsWith("552 5.3.4");
            // the session goes on: a message within the limit is taken
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.send("BDAT 6000 LAST\r\n");
            assertThat(c.command("y".repeat(5998) + "\r\nNOOP")).startsWith("552 5.3.4");
            c.reply(); // NOOP
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: small\r\n\r\nok\r\n.")).startsWith("250");
        }
        assertThat(mailbox(alice.id())).hasSize(1);
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void longLinesAndNulAreRefusedAndNothingIsStored() throws Exception {
        start();
        try (SmtpClient c = mx()) {
            assertThat(c.command("NOOP " + "x".repeat(1200))).startsWith("500 5.5.2");
            assertThat(c.command("NO\0OP")).startsWith("500 5.5.2");
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: long\r\n\r\n" + "y".repeat(1001) + "\r\n.")).startsWith("500 5.5.6");
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: nul\r\n\r\na\0b\r\n.")).startsWith("554 5.6.0");
            assertThat(c.command("NOOP")).startsWith("250");
        }
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void everySmugglingFormClosesTheSessionAndStoresNothing() throws Exception {
        start();
        for (String smuggle : List.of("\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n")) {
            try (SmtpClient c = mx()) {
                c.command("MAIL FROM:<a@example.net>");
                c.command("RCPT TO:<alice@example.test>");
                c.command("DATA");
                c.send("Subject: smuggle\r\n\r\nbody" + smuggle + "MAIL FROM:<admin@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                        + "Subject: smuggled\r\n\r\nevil\r\n.\r\n");
                assertThat(c.reply()).startsWith("521 5.5.2");
                assertThat(c.closedByServer()).isTrue();
            }
        }
        try (SmtpClient c = mx()) {
            assertThat(c.command("NOOP\n")).startsWith("521 5.5.2");
        }
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
        assertThat(mailbox(bob.id())).isEmpty();
    }

    @Test
    void earlyTalkerIsRefused() throws Exception {
        limits.greetingDelay = Duration.ofMillis(500);
        start();
        try (SmtpClient c = connect("mx")) {
            c.send("EHLO impatient.example.net\r\n");
            assertThat(c.reply()).startsWith("554 5.5.0");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void connectionLimitsPerIpAndTotal() throws Exception {
        limits.maxConnectionsPerIp = 2;
        start();
        try (SmtpClient one = mx(); SmtpClient two = mx(); SmtpClient three = connect("mx")) {
            assertThat(three.reply()).startsWith("421 4.7.0");
            assertThat(three.closedByServer()).isTrue();
            assertThat(one.command("NOOP")).startsWith("250");
        }
        // the slots are given back when clients leave
        Thread.sleep(200);
        try (SmtpClient again = mx()) {
            assertThat(again.command("QUIT")).startsWith("221");
        }
    }

    @Test
    void idleClientIsDisconnectedAfterTheTimeout() throws Exception {
        limits.commandTimeout = Duration.ofMillis(400);
        limits.dataBlockTimeout = Duration.ofMillis(400);
        start();
        try (SmtpClient c = mx()) {
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            c.send("Subject: half\r\n\r\nhalf a mess");
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.closedByServer()).isTrue();
        }
        Thread.sleep(200);
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void chunkingDeliversTheExactOctets() throws Exception {
        start();
        try (SmtpClient c = mx()) {
            c.command("MAIL FROM:<a@example.net> BODY=8BITMIME");
            c.command("RCPT TO:<alice@example.test>");
            String first = "Subject: chunks\r\n\r\n.not stuffed\r\n";
            assertThat(c.command("BDAT " + first.length() + "\r\n" + first.substring(0, first.length() - 2))).startsWith("250 2.0.0");
            c.send("BDAT 5 LAST\r\nend\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 OK");
            assertThat(c.command("DATA")).startsWith("503");
        }
        assertThat(mailbox(alice.id()).get(0)[1]).endsWith(" GMT\r\nSubject: chunks\r\n\r\n.not stuffed\r\nend\r\n");
    }

    @Test
    void policyVerdictsAreHonoured() throws Exception {
        start();
        try (SmtpClient c = mx()) {
            assertThat(c.command("MAIL FROM:<blocked@example.net>")).startsWith("550 5.7.1 Sender blocked");
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: virus\r\n\r\nx\r\n.")).startsWith("554 5.7.1 Virus found");
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: spam\r\n\r\nx\r\n.")).startsWith("250");
        }
        List<String[]> stored = mailbox(alice.id());
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0)[0]).isEqualTo("Junk");
        assertThat(stored.get(0)[1]).startsWith("Return-Path: <a@example.net>\r\nX-Spam: yes\r\nReceived: ");
        // the mail log has each final decision with the check's reason, per recipient
        assertThat(mailLog).extracting(MailEvent::from, MailEvent::to, MailEvent::result, MailEvent::reason, MailEvent::direction).containsExactly(
                org.assertj.core.groups.Tuple.tuple("blocked@example.net", null, MailEvent.Result.REJECTED, "test block", MailEvent.Direction.IN),
                org.assertj.core.groups.Tuple.tuple("a@example.net", "alice@example.test", MailEvent.Result.REJECTED, "test virus", MailEvent.Direction.IN),
                org.assertj.core.groups.Tuple.tuple("a@example.net", "alice@example.test", MailEvent.Result.ACCEPTED, "test spam", MailEvent.Direction.IN));
        assertThat(mailLog.get(0).remoteIp()).isEqualTo("127.0.0.1");
    }

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void submissionNeedsTlsThenAuthThenAnOwnedSender() throws Exception {
        start();
        try (SmtpClient c = connect("submission")) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.command("EHLO laptop")).contains("250 STARTTLS").doesNotContain("AUTH");
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "alice-password"))).startsWith("530 5.7.0");
            assertThat(c.command("MAIL FROM:<alice@example.test>")).startsWith("530 5.7.0");
            // RFC 3207 §6: a command pipelined behind STARTTLS in clear is discarded, never executed after the handshake
            c.send("STARTTLS\r\nMAIL FROM:<injected@example.test>\r\n");
            assertThat(c.reply()).startsWith("220 2.0.0");
            c.startTls();
            assertThat(c.command("EHLO laptop")).startsWith("250-mail.example.test").contains("250 AUTH PLAIN LOGIN")
                    .doesNotContain("STARTTLS");
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "wrong"))).startsWith("535 5.7.8");
            assertThat(c.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(c.command(Base64.getEncoder().encodeToString("Alice@Example.test".getBytes()))).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.command(Base64.getEncoder().encodeToString("alice-password".getBytes()))).startsWith("235 2.7.0");
            assertThat(c.command("MAIL FROM:<bob@example.test>")).startsWith("553 5.7.1");
            assertThat(c.command("MAIL FROM:<info@example.test>")).startsWith("250"); // an alias of alice
            assertThat(c.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(c.command("RCPT TO:<friend@example.org>")).startsWith("250");
            assertThat(c.command("RCPT TO:<other@example.net>")).startsWith("250");
            assertThat(c.command("DATA")).startsWith("354");
            assertThat(c.command("Subject: out\r\n\r\nhi\r\n.")).startsWith("250");
        }
        String local = mailbox(bob.id()).get(0)[1];
        assertThat(local).startsWith("Return-Path: <info@example.test>\r\nReceived: from laptop ([127.0.0.1])\r\n\t(using TLS")
                .contains("(Authenticated sender: alice@example.test)", "with ESMTPSA");
        assertThat(count("SELECT COUNT(*) FROM queue_recipients WHERE status = 'queued'")).isEqualTo(2);
        String queued = db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT m.file FROM queue_messages q JOIN messages m ON m.id = q.message_id")) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(Files.readString(store.file(queued))).startsWith("Received: ").doesNotContain("Return-Path").endsWith("Subject: out\r\n\r\nhi\r\n");
    }

    @Test
    void implicitTlsSubmissionAndRepeatedAuthFailuresEndTheSession() throws Exception {
        start();
        try (SmtpClient c = connect("submissions")) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.command("EHLO laptop")).contains("250 AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            long started = System.nanoTime();
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "nope"))).startsWith("535 5.7.8");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "nope"))).startsWith("535 5.7.8");
            assertThat(c.reply()).startsWith("421 4.7.0");
            assertThat(c.closedByServer()).isTrue();
        }
        try (SmtpClient c = connect("submissions")) {
            c.reply();
            c.command("EHLO laptop");
            assertThat(c.command("AUTH PLAIN")).isEqualTo("334 ");
            assertThat(c.command(plain("bob@example.test", "bob-password"))).startsWith("235");
        }
    }

    @Test
    void bruteForceIsLockedOutAcrossSessionsEvenWithTheRightPassword() throws Exception {
        start();
        // maxAuthFailures closes a session after 2 failures; the third, in a new session, starts the lockout
        for (int session = 0; session < 2; session++) {
            try (SmtpClient c = connect("submissions")) {
                c.reply();
                c.command("EHLO laptop");
                for (int i = 0; i < 2 - session; i++) {
                    assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "guess" + i))).startsWith("535 5.7.8");
                }
            }
        }
        try (SmtpClient c = connect("submissions")) {
            c.reply();
            c.command("EHLO laptop");
            // RFC 4954 §6: temporary failure, and no word on whether the password was right
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "alice-password"))).startsWith("454 4.7.0");
            assertThat(c.command("AUTH LOGIN")).startsWith("334");
            c.command(Base64.getEncoder().encodeToString("bob@example.test".getBytes()));
            // the client IP is locked out too: another account from it is refused as well
            assertThat(c.command(Base64.getEncoder().encodeToString("bob-password".getBytes()))).startsWith("454 4.7.0");
        }
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        try (SmtpClient c = connect("submissions")) {
            c.reply();
            c.command("EHLO laptop");
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "alice-password"))).startsWith("235 2.7.0");
        }
    }
}
