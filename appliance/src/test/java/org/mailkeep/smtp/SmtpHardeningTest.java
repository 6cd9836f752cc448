package org.mailkeep.smtp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile clients against the real engine (issue 15): smuggling, non-reading pipeliners, junk, long sessions. */
class SmtpHardeningTest extends SmtpServerFixture {

    /** The attack: in DATA, an over-long line (or a NUL) and then a bare LF before ".": the rest must not become a transaction. */
    @Test
    void noTransactionIsSmuggledAfterAnOverlongLineOrANul() throws Exception {
        start();
        for (String bad : List.of("X".repeat(200_000), "a\0b")) {
            try (SmtpClient c = mx()) {
                c.command("MAIL FROM:<a@example.net>");
                c.command("RCPT TO:<alice@example.test>");
                assertThat(c.command("DATA")).startsWith("354");
                c.send("Subject: x\r\n\r\n" + bad + "\n.\r\nMAIL FROM:<b@example.net>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                        + "Subject: smuggled\r\n\r\nevil\r\n.\r\n");
                List<String> replies = new ArrayList<>();
                for (String reply = c.reply(); reply != null; reply = c.reply()) {
                    replies.add(reply);
                }
                // RFC 5321 §2.3.8: the bare LF is not a line end; the session ends (Postfix smtpd_forbid_bare_newline)
                assertThat(replies).as(bad.length() > 10 ? "long line" : "NUL").hasSize(1);
                assertThat(replies.get(0)).startsWith("521 5.5.2");
            }
        }
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
        assertThat(mailbox(bob.id())).isEmpty();
    }

    /** RFC 5321 §4.2: reply text is ASCII; the 500 for a long line carried a '§' and unknown parameters were echoed as sent. */
    @Test
    void everyReplyIsPrintableAscii() throws Exception {
        start();
        List<String> replies = new ArrayList<>();
        try (SmtpClient c = connect("mx")) {
            replies.add(c.reply());
            for (String command : List.of("HELO", "EHLO client.example.net", "HELP", "VRFY alice", "NOOP", "FROB\u00e9", "AUTH PLAIN",
                    "STARTTLS now", "RCPT TO:<alice@example.test>", "DATA", "BDAT x", "MAIL FROM:<a@example.net> \u00c4X=1",
                    "MAIL FROM:<caf\u00e9@example.net>", "MAIL FROM:<a@example.net> SIZE=999999999999", "MAIL FROM:<a@example.net>",
                    "RCPT TO:<nobody@example.test>", "RCPT TO:<x@elsewhere.example>", "RCPT TO:<alice@example.test> NOTIFY=\u00fc",
                    "MAIL FROM:<b@example.net>", "NOOP " + "x".repeat(1200), "NO\0OP")) {
                replies.add(c.command(command));
            }
            replies.add(c.command("RCPT TO:<alice@example.test>"));
            replies.add(c.command("DATA"));
            replies.add(c.command("Subject: long\r\n\r\n" + "y".repeat(1001) + "\r\n."));
            c.command("MAIL FROM:<a@example.net>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            replies.add(c.command("Subject: nul\r\n\r\na\0b\r\n."));
            replies.add(c.command("QUIT"));
        }
        try (SmtpClient c = connect("submission")) {
            replies.add(c.reply());
            replies.add(c.command("EHLO laptop"));
            replies.add(c.command("AUTH PLAIN"));
            replies.add(c.command("MAIL FROM:<alice@example.test>"));
        }
        assertThat(replies).doesNotContainNull().hasSizeGreaterThan(25);
        for (String reply : replies) {
            assertThat(reply.chars().allMatch(ch -> ch == '\n' || (ch >= 0x20 && ch < 0x7f))).as(reply).isTrue();
        }
        assertThat(replies).anyMatch(r -> r.startsWith("500 5.5.6")).anyMatch(r -> r.startsWith("555 5.5.4 Unsupported parameter"));
    }

    /**
     * Issue 15: clients that pipeline HELP and never read grew the appliance to 6 GB. The server must stop reading
     * while its replies are not taken (the client's writes then stall), cut such a client off, and serve others meanwhile.
     */
    /** What the non-readers send at most: a bound on the test, far above what the socket buffers hold. */
    private static final long LIMIT = 96L << 20;

    @Test
    void aPipelinerThatNeverReadsIsPausedAndCutOffWhileOthersAreServed() throws Exception {
        limits.maxJunkCommands = Integer.MAX_VALUE; // this test is about backpressure, not the junk limit
        limits.commandTimeout = Duration.ofSeconds(6);
        start();
        SmtpServer.Listener mx = server.listeners().get(0);
        List<Socket> sockets = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        AtomicLong sent = new AtomicLong();
        AtomicReference<IOException> cutOff = new AtomicReference<>();
        byte[] pipeline = "HELP\r\n".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 4; i++) {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", server.actualPort(mx)), 5000);
            sockets.add(socket);
            Thread.sleep(limits.greetingDelay.toMillis() + 100); // not an early talker: the greeting is sent, just never read
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                try {
                    while (sent.get() < LIMIT && System.nanoTime() < deadline) {
                        out.write(pipeline);
                        sent.addAndGet(pipeline.length);
                    }
                } catch (IOException e) {
                    cutOff.compareAndSet(null, e);
                }
            });
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
        try {
            Thread.sleep(2000);
            long early = sent.get();
            // a normal client still gets a message through
            try (SmtpClient c = mx()) {
                c.command("MAIL FROM:<a@example.net>");
                c.command("RCPT TO:<alice@example.test>");
                c.command("DATA");
                assertThat(c.command("Subject: through\r\n\r\nok\r\n.")).startsWith("250 2.0.0");
            }
            Thread.sleep(2000);
            long later = sent.get();
            // stalled: only what the kernel's socket buffers hold got through, and nothing more once they were full
            assertThat(later - early).as("octets sent by 4 non-readers in 2 s after the first 2 s").isLessThan(1L << 20);
            assertThat(later).as("octets the 4 non-readers could send in all").isLessThan(LIMIT);
            for (Thread writer : writers) {
                writer.join(Duration.ofSeconds(15).toMillis());
                assertThat(writer.isAlive()).as("a non-reader is cut off after the command timeout").isFalse();
            }
            assertThat(cutOff.get()).isNotNull();
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        assertThat(mailbox(alice.id())).hasSize(1);
    }

    @Test
    void junkCommandsEndTheSessionWith421() throws Exception {
        limits.maxJunkCommands = 5;
        start();
        try (SmtpClient c = mx()) {
            c.send("NOOP\r\nVRFY x\r\nHELP\r\nFOO\r\nBAR\r\nBAZ\r\n");
            List<String> replies = new ArrayList<>();
            for (String reply = c.reply(); reply != null; reply = c.reply()) {
                replies.add(reply);
            }
            assertThat(replies).hasSize(7);
            assertThat(replies.get(5)).startsWith("502 5.5.1");
            assertThat(replies.get(6)).startsWith("421 4.7.0");
        }
        // a delivered message starts the count again: a long-lived relay session is not junk
        try (SmtpClient c = mx()) {
            for (int message = 0; message < 3; message++) {
                for (int i = 0; i < 4; i++) {
                    assertThat(c.command("NOOP")).startsWith("250");
                }
                c.command("MAIL FROM:<a@example.net>");
                c.command("RCPT TO:<alice@example.test>");
                c.command("DATA");
                assertThat(c.command("Subject: m" + message + "\r\n\r\nok\r\n.")).startsWith("250 2.0.0");
            }
        }
    }

    @Test
    void aSessionEndsAfterItsLongestLength() throws Exception {
        limits.maxSessionLength = Duration.ofMillis(1500);
        start();
        try (SmtpClient c = mx()) {
            long started = System.nanoTime();
            for (int i = 0; i < 10 && Duration.ofNanos(System.nanoTime() - started).toMillis() < 1200; i++) {
                assertThat(c.command("RSET")).startsWith("250"); // busy, never idle: the command timeout does not end it
                Thread.sleep(200);
            }
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** The greeting delay is the MX's only (RFC 6409 clients are ours): on submission an early EHLO is simply answered. */
    @Test
    void submissionHasNoGreetingDelay() throws Exception {
        limits.greetingDelay = Duration.ofSeconds(10); // far above what a loaded machine takes to answer
        start();
        try (SmtpClient c = connect("submission")) {
            long started = System.nanoTime();
            c.send("EHLO laptop\r\n");
            assertThat(c.reply()).startsWith("220 mail.example.test");
            assertThat(c.reply()).startsWith("250-mail.example.test").contains("STARTTLS");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        }
        try (SmtpClient c = connect("mx")) {
            c.send("EHLO impatient.example.net\r\n");
            assertThat(c.reply()).startsWith("554 5.5.0");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** IPv4 and IPv6 clients are counted apart (IPv6 by /64, unit-tested in AuthGuardTest and LoginThrottleTest). */
    @Test
    void theConnectionLimitCountsEachClientNetwork() throws Exception {
        bind = "::";
        limits.maxConnectionsPerIp = 2;
        start();
        int port = server.actualPort(server.listeners().get(0));
        try (SmtpClient one = new SmtpClient("127.0.0.1", port, false); SmtpClient two = new SmtpClient("127.0.0.1", port, false);
             SmtpClient three = new SmtpClient("127.0.0.1", port, false); SmtpClient six = new SmtpClient("::1", port, false)) {
            assertThat(three.reply()).startsWith("421 4.7.0 Too many connections from 127.0.0.1/32");
            assertThat(six.reply()).startsWith("220");
            assertThat(one.reply()).startsWith("220");
        }
    }

    /** A stranger failing logins for alice locks the stranger out, not alice on the network she logged in from before. */
    @Test
    void aStrangersFailuresDoNotLockTheOwnerOut() throws Exception {
        bind = "::";
        start();
        int port = server.actualPort(server.listeners().get(2));
        try (SmtpClient c = new SmtpClient("127.0.0.1", port, true)) {
            c.reply();
            c.command("EHLO laptop");
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "alice-password"))).startsWith("235");
        }
        for (int session = 0; session < 2; session++) {
            try (SmtpClient c = new SmtpClient("::1", port, true)) {
                c.reply();
                c.command("EHLO stranger");
                for (int i = 0; i < 2 - session; i++) {
                    assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "guess" + i))).startsWith("535 5.7.8");
                }
            }
        }
        try (SmtpClient c = new SmtpClient("::1", port, true)) {
            c.reply();
            c.command("EHLO stranger");
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "alice-password"))).startsWith("454 4.7.0");
        }
        try (SmtpClient c = new SmtpClient("127.0.0.1", port, true)) {
            c.reply();
            c.command("EHLO laptop");
            assertThat(c.command("AUTH PLAIN " + plain("alice@example.test", "alice-password"))).startsWith("235");
        }
    }
}
