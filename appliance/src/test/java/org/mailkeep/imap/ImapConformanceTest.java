package org.mailkeep.imap;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.ApplianceTestResource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules of RFC 3501/9051 and the extension RFCs where clients look closely (issue 16), and the behaviour towards
 * hostile clients (issue 15), each against the running appliance over real sockets. Each test has an account of its own.
 */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapConformanceTest {

    static final String PASSWORD = "conformance-secret-1";

    @Inject
    Directory directory;
    @Inject
    MessageStore messageStore;

    int imaps() {
        return ApplianceTestResource.PORTS.get("mailkeep.imaps.port");
    }

    int imap() {
        return ApplianceTestResource.PORTS.get("mailkeep.imap.port");
    }

    long account(String user) {
        return directory.createAccount(Address.parse(user + "@example.test").orElseThrow(), PASSWORD, user).id();
    }

    ImapTestClient login(String user) throws Exception {
        ImapTestClient client = ImapTestClient.tls(imaps());
        assertThat(last(client.command("LOGIN " + user + "@example.test " + PASSWORD))).contains(" OK ");
        return client;
    }

    static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    static String message(String date, String subject) {
        return "From: Bob <bob@example.net>\r\nTo: x@example.test\r\nDate: " + date + "\r\nSubject: " + subject + "\r\n\r\nbody " + subject + "\r\n";
    }

    /** RFC 3501 §2.3.2, §6.3.1, §6.4.4, §7.3.2: \Recent in exactly one IMAP4rev1 session; none in IMAP4rev2 (RFC 9051 §2.3.2). */
    @Test
    void recentBelongsToTheFirstImap4rev1SessionAndNeverToImap4rev2() throws Exception {
        long id = account("recent");
        TestMessages.deliver(messageStore, id, message("Mon, 4 Mar 2024 10:00:00 +0000", "one"));
        TestMessages.deliver(messageStore, id, message("Mon, 4 Mar 2024 11:00:00 +0000", "two"));
        try (ImapTestClient rev2 = login("recent"); ImapTestClient a = login("recent"); ImapTestClient b = login("recent")) {
            rev2.command("ENABLE IMAP4rev2");
            assertThat(rev2.command("SELECT INBOX")).noneMatch(l -> l.contains("RECENT"));
            assertThat(rev2.command("FETCH 1:* (FLAGS)")).noneMatch(l -> l.contains("\\Recent"));

            assertThat(a.command("SELECT INBOX")).contains("* 2 RECENT"); // rev2 took nothing away
            assertThat(a.command("FETCH 1:2 (FLAGS)")).filteredOn(l -> l.startsWith("* ")).allMatch(l -> l.contains("\\Recent"));
            assertThat(a.command("SEARCH RECENT").get(0)).isEqualTo("* SEARCH 1 2");
            a.command("STORE 1 +FLAGS.SILENT (\\Seen)");
            assertThat(a.command("SEARCH NEW").get(0)).isEqualTo("* SEARCH 2"); // NEW = RECENT UNSEEN
            assertThat(a.command("SEARCH OLD").get(0)).isEqualTo("* SEARCH");
            assertThat(a.command("STATUS INBOX (RECENT)").get(0)).contains("RECENT 2");

            assertThat(b.command("SELECT INBOX")).contains("* 0 RECENT"); // a has them
            assertThat(b.command("SEARCH RECENT").get(0)).isEqualTo("* SEARCH");
            assertThat(b.command("SEARCH OLD").get(0)).isEqualTo("* SEARCH 1 2");
            assertThat(b.command("FETCH 1:2 (FLAGS)")).noneMatch(l -> l.contains("\\Recent"));

            TestMessages.deliver(messageStore, id, message("Mon, 4 Mar 2024 12:00:00 +0000", "three"));
            assertThat(b.command("NOOP")).contains("* 3 EXISTS", "* 1 RECENT"); // b learns of it first
            assertThat(a.command("NOOP")).contains("* 3 EXISTS", "* 2 RECENT");
            assertThat(b.command("SEARCH RECENT").get(0)).isEqualTo("* SEARCH 3");

            // §6.4.7 and §7.3.2: a COPY into the selected mailbox is announced with EXISTS and RECENT
            List<String> copied = new ArrayList<>(a.command("COPY 1:2 INBOX"));
            copied.addAll(a.command("NOOP"));
            assertThat(copied).contains("* 5 EXISTS", "* 4 RECENT");
        }
        try (ImapTestClient later = login("recent")) {
            assertThat(later.command("STATUS INBOX (RECENT MESSAGES)").get(0)).contains("RECENT 0", "MESSAGES 5");
        }
    }

    /** RFC 3501 §6.4.4: SENT* compare the Date: header's date and BEFORE/ON/SINCE the internal date, disregarding time and zone. */
    @Test
    void searchByDateComparesDatesDisregardingTimeAndZone() throws Exception {
        long id = account("dates");
        TestMessages.deliver(messageStore, id, message("Tue, 5 Mar 2024 23:30:00 -0800", "late")); // 6 Mar in UTC
        TestMessages.deliver(messageStore, id, message("Wed, 6 Mar 2024 00:30:00 +0200", "early")); // 5 Mar in UTC
        TestMessages.deliver(messageStore, id, message("7 Mar 2024 12:00 GMT", "plain"));
        try (ImapTestClient client = login("dates")) {
            client.command("SELECT INBOX");
            assertThat(client.command("SEARCH SENTON 5-Mar-2024").get(0)).isEqualTo("* SEARCH 1");
            assertThat(client.command("SEARCH SENTON 6-Mar-2024").get(0)).isEqualTo("* SEARCH 2");
            assertThat(client.command("SEARCH SENTBEFORE 6-Mar-2024").get(0)).isEqualTo("* SEARCH 1");
            assertThat(client.command("SEARCH SENTSINCE 6-Mar-2024").get(0)).isEqualTo("* SEARCH 2 3");
            assertThat(client.command("SEARCH SENTSINCE 8-Mar-2024").get(0)).isEqualTo("* SEARCH");
            client.command("CREATE Dated");
            String text = message("Fri, 1 Mar 2024 09:00:00 +0000", "appended");
            client.command("APPEND Dated \"10-Mar-2024 12:00:00 +0000\" {" + text.length() + "+}\r\n" + text);
            client.command("SELECT Dated");
            assertThat(client.command("SEARCH ON 10-Mar-2024").get(0)).isEqualTo("* SEARCH 1");
            assertThat(client.command("SEARCH BEFORE 10-Mar-2024").get(0)).isEqualTo("* SEARCH");
            assertThat(client.command("SEARCH SINCE 10-Mar-2024 SENTBEFORE 2-Mar-2024").get(0)).isEqualTo("* SEARCH 1");
        }
    }

    /** RFC 3516 §4.2: BINARY.SIZE[] is the size of the whole message with its content decoded, never NIL. */
    @Test
    void binarySizeOfTheWholeMessage() throws Exception {
        long id = account("binary");
        String multipart = "Subject: m\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n";
        TestMessages.deliver(messageStore, id, multipart);
        String base64 = "Subject: s\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n";
        TestMessages.deliver(messageStore, id, base64);
        try (ImapTestClient client = login("binary")) {
            client.command("SELECT INBOX");
            assertThat(client.command("FETCH 1 (BINARY.SIZE[])").get(0)).contains("BINARY.SIZE[] " + multipart.length());
            String header = "Subject: s\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\n";
            assertThat(client.command("FETCH 2 (BINARY.SIZE[])").get(0)).contains("BINARY.SIZE[] " + (header.length() + "hello world".length()));
            assertThat(client.command("FETCH 2 (BINARY.PEEK[])").get(0)).contains("BINARY[] ~{" + (header.length() + 11) + "}\r\n" + header + "hello world");
        }
    }

    /** RFC 3501 §5.1.3, §6.3.1, §6.3.8: names of every atom character: SELECT is NO, LIST answers, the session goes on. */
    @Test
    void mailboxNamesOfEveryAtomCharacterGetNoAndListNeverDropsTheConnection() throws Exception {
        account("atoms");
        String atoms = "!#$&'+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[^_`abcdefghijklmnopqrstuvwxyz|}~";
        try (ImapTestClient client = login("atoms")) {
            assertThat(last(client.command("SELECT " + atoms))).matches("t\\d+ NO .*");
            assertThat(last(client.command("EXAMINE \"" + atoms + "\""))).matches("t\\d+ NO .*");
            assertThat(last(client.command("STATUS " + atoms + " (MESSAGES)"))).matches("t\\d+ NO .*");
            for (String pattern : List.of(atoms, "\"" + atoms + "*\"", "\"%" + atoms + "%\"", atoms + "%")) {
                assertThat(last(client.command("LIST \"\" " + pattern))).as(pattern).matches("t\\d+ OK .*");
                assertThat(last(client.command("LIST \"" + atoms + "\" " + pattern))).as(pattern).matches("t\\d+ OK .*");
                assertThat(last(client.command("LSUB \"\" " + pattern))).as(pattern).matches("t\\d+ OK .*");
            }
            assertThat(last(client.command("NOOP"))).matches("t\\d+ OK .*");
        }
    }

    /**
     * Issue 15: clients that send FETCHes of large bodies and never read the answers hold no worker thread: with more of
     * them than the server has workers (8 by default), a normal client still gets its answers at once.
     */
    @Test
    void clientsThatDoNotReadHoldNoWorkerThread() throws Exception {
        long id = account("slow");
        String body = ("0123456789".repeat(7) + "\r\n").repeat(20_000); // 1.4 MB a message
        for (int i = 0; i < 4; i++) {
            TestMessages.deliver(messageStore, id, message("Mon, 4 Mar 2024 10:00:00 +0000", "big " + i).replace("body big", body + "big"));
        }
        List<ImapTestClient> nonReaders = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                ImapTestClient client = login("slow");
                client.command("SELECT INBOX");
                client.sendRaw("n FETCH 1:* (BODY.PEEK[])\r\n".repeat(30).getBytes(StandardCharsets.US_ASCII));
                nonReaders.add(client);
            }
            Thread.sleep(3000); // every non-reader's socket buffers are full by now
            long start = System.nanoTime();
            try (ImapTestClient normal = login("slow")) {
                normal.setTimeout(15_000);
                assertThat(normal.command("SELECT INBOX")).contains("* 4 EXISTS");
                assertThat(normal.command("FETCH 4 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])").get(0)).contains("Subject: big 3");
                assertThat(last(normal.command("LOGOUT"))).contains(" OK ");
            }
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
        } finally {
            for (ImapTestClient client : nonReaders) {
                client.close();
            }
        }
    }

    /**
     * RFC 2595 §3.1, RFC 3207 §4.2: cleartext sent after STARTTLS (in the same segment as the command, or right behind it)
     * is discarded, never run as if it had come over TLS; the first answer under TLS is to the first command sent under TLS.
     * Cleartext in a later segment races the server's TLS handshake: read before it, it is discarded; read after it, it is
     * a broken TLS record and the handshake fails. Either way it must never run, so both outcomes are accepted there.
     */
    @Test
    void cleartextPipelinedAfterStartTlsIsDiscarded() throws Exception {
        try (ImapTestClient client = ImapTestClient.plain(imap())) {
            assertThat(client.startTlsWithInjection("i1 CAPABILITY\r\n", "")).noneMatch(l -> l.startsWith("i"));
            List<String> after = client.command("NOOP");
            assertThat(after).noneMatch(l -> l.startsWith("i1") || l.startsWith("* CAPABILITY"));
            assertThat(last(after)).matches("t\\d+ OK .*");
        }
        try (ImapTestClient client = ImapTestClient.plain(imap())) {
            List<String> before;
            try {
                before = client.startTlsWithInjection("", "i2 CAPABILITY\r\n");
            } catch (javax.net.ssl.SSLException handshakeBrokenByTheInjection) {
                return; // the injected bytes were taken as TLS: the connection ends, nothing ran
            }
            assertThat(before).noneMatch(l -> l.startsWith("i"));
            List<String> after = client.command("NOOP");
            assertThat(after).noneMatch(l -> l.startsWith("i2") || l.startsWith("* CAPABILITY"));
            assertThat(last(after)).matches("t\\d+ OK .*");
        }
    }
}
