package org.mailkeep.queue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.dkim.DkimKeys;
import org.mailkeep.dkim.DkimRecords;
import org.mailkeep.dns.NetworkChecker;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.DkimTools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Delivery to a remote MX without 8BITMIME and SMTPUTF8 (a private Postfix, {@link PrivateMxTestResource}),
 * the per-domain connection limit, and the relay fallback when the network self-check finds our public IP
 * on a policy blocklist.
 */
@QuarkusTest
@QuarkusTestResource(value = PrivateMxTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrivateMxDeliveryTest {

    static final String INBOX = "alice@example.test";

    @Inject
    OutboundQueue queue;
    @Inject
    MessageStore store;
    @Inject
    Database db;
    @Inject
    DkimKeys keys;
    @Inject
    DkimRecords records;
    @Inject
    NetworkChecker networkChecker;

    static Path maildir() {
        return PrivateMxTestResource.mx.maildir();
    }

    static long enqueue(MessageStore store, OutboundQueue queue, String to, String content) throws IOException {
        Path spool = store.newSpoolFile();
        Files.writeString(spool, content, StandardCharsets.UTF_8);
        return queue.enqueue(spool, INBOX, List.of(to), INBOX);
    }

    @Test
    @Order(1)
    void eightBitMailIsConvertedThenSignedForAnMxWithout8bitmime() throws Exception {
        OutboundMail.setUp();
        Map<String, String> published = OutboundMail.publishDkim(records, keys);
        String marker = "sevenbit-" + System.nanoTime();
        String message = "From: Alice <alice@example.test>\r\nTo: <bob@example.net>\r\nSubject: outbound " + marker + "\r\n"
                + "Date: Sun, 29 Nov 2026 14:00:00 +0000\r\nMessage-ID: <" + marker + "@example.test>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\nThis is MIME.\r\n"
                + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Grüße, " + marker + "\r\n.a line starting with a dot\r\n"
                + "--b1\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Subject: inner\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Übermorgen\r\n"
                + "--b1--\r\n";
        enqueue(store, queue, "bob@example.net", message);
        Path stored = OutboundMail.awaitStored(maildir(), marker, Duration.ofSeconds(30));
        byte[] bytes = Files.readAllBytes(stored);
        for (byte b : bytes) {
            assertThat(b).as("8-bit byte in what the MX without 8BITMIME stored").isGreaterThanOrEqualTo((byte) 0);
        }
        String copy = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(copy).contains("Content-Transfer-Encoding: quoted-printable").contains("Gr=C3=BC=C3=9Fe, " + marker)
                .contains("=C3=9Cbermorgen").contains("Content-Type: message/rfc822\nContent-Transfer-Encoding: 7bit") // the maildir copy has LF line ends
                .doesNotContain("Content-Transfer-Encoding: 8bit").contains("Subject: outbound " + marker);
        // signed after the conversion: both signatures verify on what arrived
        assertThat(copy.split("DKIM-Signature:", -1)).hasSize(3);
        assertThat(DkimTools.opendkim(stored, published)).containsPattern("verification \\(s=\\w+, d=example.test, 2048-bit key\\) succeeded");
        assertThat(DkimTools.dkimverify(stored, 0)).contains("signature ok");
        assertThat(DkimTools.dkimverify(stored, 1)).contains("signature ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.pendingRecipients() == 0);
        // the converted copy was a temporary file: the spool holds nothing of it afterwards
        try (var spool = Files.list(store.newSpoolFile().getParent())) {
            assertThat(spool.toList()).isEmpty();
        }
    }

    @Test
    @Order(2)
    void mailThatNeedsSmtputf8BouncesWithAClearDsnWhenTheMxLacksIt() throws Exception {
        String marker = "utf8-" + System.nanoTime();
        enqueue(store, queue, "bob@example.net", OutboundMail.message(INBOX, "bob@example.net", marker)
                .replace("Subject: outbound " + marker, "Subject: Grüße outbound " + marker));
        await().atMost(Duration.ofSeconds(20)).until(() -> OutboundMail.inbox(db, store, INBOX).stream()
                .anyMatch(m -> m.contains(marker) && m.contains("Action: failed")));
        String dsn = OutboundMail.inbox(db, store, INBOX).stream().filter(m -> m.contains(marker)).findFirst().orElseThrow();
        assertThat(dsn).contains("Status: 5.6.7").contains("Final-Recipient: rfc822; bob@example.net")
                .contains("does not offer SMTPUTF8").contains("Remote-MTA: dns; mx.example.net");
        assertThat(OutboundMail.stored(maildir(), marker)).isEmpty();
    }

    /** Accepts every message, holding each answer to the final dot a while, and counts the sessions open at once. */
    static final class SessionCounter implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger messages = new AtomicInteger();

        SessionCounter(String address, int port) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        new Thread(() -> session(socket)).start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void session(Socket socket) {
            most.accumulateAndGet(open.incrementAndGet(), Math::max);
            try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                 OutputStream out = socket.getOutputStream()) {
                reply(out, "220 counter ESMTP");
                String line;
                while ((line = in.readLine()) != null) {
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
                    switch (verb) {
                        case "QUIT" -> {
                            reply(out, "221 bye");
                            return;
                        }
                        case "DATA" -> {
                            reply(out, "354 go on");
                            while ((line = in.readLine()) != null && !line.equals(".")) {
                                // the content does not matter here
                            }
                            Thread.sleep(700); // keep the session open so that parallel ones overlap
                            messages.incrementAndGet();
                            reply(out, "250 2.0.0 queued");
                        }
                        default -> reply(out, "250 ok");
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away: the session is over
            } finally {
                open.decrementAndGet();
            }
        }

        private static void reply(OutputStream out, String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    @Order(3)
    void noMoreThanTheDomainConcurrencyOfConnectionsGoToOneDestination() throws Exception {
        DkimTools.run(List.of("nsupdate", "-k", DkimTools.PEERS.resolve("bind/ddns.key").toString()),
                "server 127.0.0.1 5353\nzone example.test\nupdate add busy.example.test. 60 MX 10 busymx.example.test.\n"
                        + "update add busymx.example.test. 60 A 127.0.0.3\nsend\n");
        // the same port as the private MX, on another loopback address: the outbound port is one for all MXs
        try (SessionCounter counter = new SessionCounter("127.0.0.3", PrivateMxTestResource.mx.port())) {
            for (int i = 0; i < 6; i++) {
                OutboundMail.enqueue(store, queue, "user" + i + "@busy.example.test", "busy-" + i + "-" + System.nanoTime());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> counter.messages.get() == 6);
            assertThat(counter.most.get()).isEqualTo(2); // mailkeep.outbound.domain-concurrency (default 2)
            await().atMost(Duration.ofSeconds(10)).until(() -> queue.pendingRecipients() == 0);
        }
    }

    @Test
    @Order(4)
    void ourPublicIpOnAPolicyBlocklistSendsMailThroughTheRelay() throws Exception {
        // the relay's certificate is not trusted yet (no caPem): TLS with it fails
        Map<String, Object> untrusted = new java.util.HashMap<>(FallbackTest.relay("secret"));
        untrusted.remove("caPem");
        OutboundMail.admin().contentType(ContentType.JSON).body(untrusted).put("/api/relay").then().statusCode(200)
                .body("fallback.active", equalTo(false));
        PrivateMxTestResource.publicIp = "127.0.0.2"; // listed in zen.test
        networkChecker.run();
        OutboundMail.admin().get("/api/relay").then().body("fallback.active", equalTo(true))
                .body("fallback.trigger", containsString("policy blocklist"))
                .body("fallback.evidence", containsString("public IP 127.0.0.2 is listed on zen.test"))
                .body("events[0].trigger", equalTo("BLOCKLISTED"));
        OutboundMail.admin().get("/api/status").then().body("health.state", equalTo("warning"))
                .body("health.checks.reason", hasItem(containsString("sending through relay 127.0.0.1 because our public IP address is on a policy blocklist")));

        Map<String, String> published = OutboundMail.publishDkim(records, keys);
        String marker = "blocklisted-" + System.nanoTime();
        long id = OutboundMail.enqueue(store, queue, "grace@example.net", marker);
        String recipient = "find { it.id == " + id + " }.recipients[0].";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> OutboundMail.admin().get("/api/queue").then()
                .body(recipient + "status", equalTo("queued")).body(recipient + "route", equalTo("relay"))
                .body(recipient + "routeReason", containsString("public IP 127.0.0.2 is listed on zen.test"))
                .body(recipient + "lastError", containsString("TLS with relay 127.0.0.1:2587 failed")));

        // the relay's CA is given: the next retry goes out through it (Postfix submission on 2587, which delivers
        // into the MX peer's maildir); the private MX sees nothing
        OutboundMail.admin().contentType(ContentType.JSON).body(FallbackTest.relay("secret")).put("/api/relay").then().statusCode(200);
        Path stored = OutboundMail.awaitStored(marker, Duration.ofSeconds(30));
        assertThat(Files.readString(stored, StandardCharsets.UTF_8)).contains("with ESMTPSA");
        assertThat(DkimTools.dkimverify(stored, 0)).contains("signature ok");
        assertThat(DkimTools.opendkim(stored, published)).containsPattern("verification \\(s=\\w+, d=example.test, 2048-bit key\\) succeeded");
        assertThat(OutboundMail.stored(maildir(), marker)).isEmpty();
        assertThat(OutboundMail.admin().get("/api/relay").then().extract().jsonPath().getList("events.trigger", String.class))
                .containsOnlyOnce("BLOCKLISTED"); // one event per finding, not one per check or message

        // delisted: the next check ends the fallback
        PrivateMxTestResource.publicIp = "192.0.2.44";
        networkChecker.run();
        OutboundMail.admin().get("/api/relay").then().body("fallback.active", equalTo(false));
    }
}
