package org.mailkeep.imap;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.store.Address;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.Swaks;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The IMAP server over real TLS sockets: protocol, concurrent sessions with IDLE, bad input, big mailboxes. */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImapProtocolTest {

    static final String USER = "alice@example.test";
    static final String PASSWORD = "alice-secret-1";

    @Inject
    Directory directory;
    @Inject
    MessageStore messageStore;
    @Inject
    Database db;
    @Inject
    ImapServer imapServer;

    long accountId;

    int imaps() {
        return ApplianceTestResource.PORTS.get("mailkeep.imaps.port");
    }

    int imap() {
        return ApplianceTestResource.PORTS.get("mailkeep.imap.port");
    }

    @BeforeAll
    void fill() throws Exception {
        accountId = directory.createAccount(Address.parse(USER).orElseThrow(), PASSWORD, "Alice").id();
        directory.createAccount(Address.parse("bob@example.test").orElseThrow(), "bob-secret-12", "Bob");
        for (int i = 1; i <= 8; i++) {
            TestMessages.deliver(messageStore, accountId, i);
        }
    }

    ImapTestClient login() throws Exception {
        ImapTestClient client = ImapTestClient.tls(imaps());
        assertThat(last(client.command("LOGIN " + USER + " " + PASSWORD))).contains("OK");
        return client;
    }

    static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** A command's response without its tagged status line (whose tag differs from command to command). */
    static List<String> untagged(List<String> lines) {
        assertThat(last(lines)).contains(" OK ");
        return lines.subList(0, lines.size() - 1);
    }

    @Test
    @Order(1)
    void noAuthenticationBeforeStartTls() throws Exception {
        try (ImapTestClient client = ImapTestClient.plain(imap())) {
            assertThat(client.greeting).contains("STARTTLS").contains("LOGINDISABLED").doesNotContain("AUTH=");
            assertThat(last(client.command("LOGIN " + USER + " " + PASSWORD))).contains("NO").contains("PRIVACYREQUIRED");
            assertThat(last(client.command("AUTHENTICATE PLAIN " + plain(USER, PASSWORD)))).contains("NO");
            client.startTls();
            List<String> caps = client.command("CAPABILITY");
            assertThat(caps.get(0)).contains("AUTH=PLAIN").contains("SASL-IR").doesNotContain("LOGINDISABLED");
            assertThat(last(client.command("AUTHENTICATE PLAIN " + plain(USER, PASSWORD)))).matches("t\\d+ OK .*");
            assertThat(client.command("CAPABILITY").get(0)).contains("IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "NAMESPACE", "ENABLE",
                    "LITERAL+", "UNSELECT", "ESEARCH", "CONDSTORE", "QRESYNC", "QUOTA", "LIST-EXTENDED", "LIST-STATUS", "APPENDLIMIT=");
        }
    }

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @Order(2)
    void authenticateWithContinuationAndListFolders() throws Exception {
        try (ImapTestClient client = ImapTestClient.tls(imaps())) {
            client.send("a1 AUTHENTICATE PLAIN");
            assertThat(client.readLine()).startsWith("+");
            client.send(plain(USER, PASSWORD));
            assertThat(last(client.readUntil("a1"))).startsWith("a1 OK");
            List<String> list = client.command("LIST \"\" \"*\"");
            assertThat(String.join("\n", list)).contains("\"INBOX\"", "\\Sent) \"/\" \"Sent\"", "\\Drafts", "\\Junk", "\\Trash", "\\Archive");
            assertThat(client.command("LIST \"\" \"\"").get(0)).isEqualTo("* LIST (\\Noselect) \"/\" \"\"");
            assertThat(last(client.command("CREATE Projects/2024/Q1"))).contains("OK");
            assertThat(String.join("\n", client.command("LIST \"\" Projects/%"))).contains("\"Projects/2024\"").doesNotContain("Q1");
            List<String> status = client.command("LIST (SUBSCRIBED) \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN) SPECIAL-USE)");
            assertThat(String.join("\n", status)).contains("* STATUS \"INBOX\" (MESSAGES 8 UNSEEN 8)");
            assertThat(last(client.command("RENAME Projects Work"))).contains("OK");
            assertThat(String.join("\n", client.command("LIST \"\" \"*\""))).contains("\"Work/2024/Q1\"").doesNotContain("Projects");
            assertThat(last(client.command("DELETE Work"))).contains("NO").contains("HASCHILDREN");
            assertThat(String.join("\n", client.command("LIST \"\" Work"))).contains("* LIST (\\HasChildren) \"/\" \"Work\"");
            assertThat(last(client.command("DELETE Work/2024/Q1"))).contains("OK");
            assertThat(client.command("NAMESPACE").get(0)).isEqualTo("* NAMESPACE ((\"\" \"/\")) NIL NIL");
            assertThat(client.command("ID (\"name\" \"test\")").get(0)).startsWith("* ID (");
            assertThat(client.command("GETQUOTAROOT INBOX").get(0)).isEqualTo("* QUOTAROOT \"INBOX\""); // no quota, no root
        }
    }

    @Test
    @Order(3)
    void selectFetchStructureAndSections() throws Exception {
        try (ImapTestClient client = login()) {
            List<String> select = client.command("SELECT INBOX");
            assertThat(String.join("\n", select)).contains("* 8 EXISTS", "[UIDVALIDITY ", "[UIDNEXT 9]", "[READ-WRITE]");
            List<String> fetch = client.command("FETCH 1:4 (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)");
            assertThat(fetch).hasSize(5);
            assertThat(fetch.get(0)).contains("ENVELOPE (\"Mon, 2 Jan 2024 10:01:00 +0000\" \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= 1\" "
                    + "((\"Bob Sender\" NIL \"bob\" \"example.net\"))");
            assertThat(fetch.get(0)).contains("BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\"");
            assertThat(fetch.get(0)).contains("\"ALTERNATIVE\" (\"BOUNDARY\" \"alt1\")");
            assertThat(fetch.get(1)).contains("(\"APPLICATION\" \"PDF\" (\"NAME\" \"report2.pdf\")").contains("(\"ATTACHMENT\" (\"FILENAME\" \"report2.pdf\"))");
            assertThat(fetch.get(2)).contains("\"MESSAGE\" \"RFC822\"").contains("\"original 3\"");
            // a second FETCH of envelopes comes from the cache and is identical
            assertThat(client.command("FETCH 1:4 (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)").subList(0, 4)).isEqualTo(fetch.subList(0, 4));
            String body = String.join("\n", client.command("UID FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)])"));
            assertThat(body).contains("BODY[1] {26}\r\nSee the attached report 2. BODY[2.MIME]").contains("Content-Disposition: attachment")
                    .contains("BODY[HEADER.FIELDS (SUBJECT)] {37}\r\nSubject: Report 2 with attachment\r\n\r\n");
            String forwarded = String.join("\n", client.command("FETCH 3 (BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[TEXT]<0.10>)"));
            assertThat(forwarded).contains("From: carol@example.org").contains("BODY[2.TEXT] {15}\r\nOriginal body 3")
                    .contains("BODY[TEXT]<0> {10}");
            assertThat(String.join("\n", client.command("FETCH 2 (BINARY.SIZE[2])"))).containsPattern("BINARY.SIZE\\[2\\] \\d{4}");
            // the first session to select INBOX: its messages are \Recent here (RFC 3501 §2.3.2)
            assertThat(client.command("FETCH 4 (FLAGS)").get(0)).contains("FLAGS (\\Recent)");
            String full = String.join("\n", client.command("FETCH 4 BODY[]"));
            assertThat(full).contains("this is message number 4").contains("FLAGS (\\Seen \\Recent)");
            assertThat(last(client.command("FETCH 9 FLAGS"))).contains("BAD");
            assertThat(last(client.command("UID FETCH 1:4294967295 (UID)"))).contains("OK");
        }
    }

    @Test
    @Order(4)
    void searchStoreCopyMoveExpunge() throws Exception {
        try (ImapTestClient client = login()) {
            client.command("SELECT INBOX");
            assertThat(client.command("SEARCH SUBJECT Report").get(0)).isEqualTo("* SEARCH 2 6");
            assertThat(client.command("SEARCH CHARSET UTF-8 BODY Schöne").get(0)).isEqualTo("* SEARCH 1 5");
            assertThat(client.command("SEARCH TEXT \"message number 8\"").get(0)).isEqualTo("* SEARCH 8");
            assertThat(client.command("UID SEARCH OR FROM carol NOT LARGER 1000 SEEN").get(0)).isEqualTo("* SEARCH 4");
            assertThat(client.command("SEARCH SENTBEFORE 4-Jan-2024 UNSEEN").get(0)).isEqualTo("* SEARCH 1 2");
            assertThat(client.command("SEARCH HEADER Message-ID <m7@example.net>").get(0)).isEqualTo("* SEARCH 7");
            assertThat(client.command("SEARCH RETURN (MIN MAX COUNT) ALL").get(0)).endsWith("MIN 1 MAX 8 COUNT 8");
            assertThat(last(client.command("SEARCH CHARSET KOI8-R ALL"))).contains("BADCHARSET");
            List<String> store = client.command("STORE 1:2 +FLAGS (\\Flagged $Important)");
            assertThat(store.get(0)).isEqualTo("* 1 FETCH (FLAGS ($Important \\Flagged))");
            List<String> copy = client.command("UID COPY 1:2 Archive");
            assertThat(last(copy)).containsPattern("OK \\[COPYUID \\d+ 1:2 1:2\\]");
            List<String> move = client.command("UID MOVE 3 Trash");
            assertThat(move.get(0)).containsPattern("\\* OK \\[COPYUID \\d+ 3 1\\]");
            assertThat(move.get(1)).isEqualTo("* 3 EXPUNGE");
            client.command("STORE 1 +FLAGS.SILENT (\\Deleted)");
            assertThat(client.command("EXPUNGE")).startsWith("* 1 EXPUNGE");
            List<String> status = client.command("STATUS Archive (MESSAGES UIDNEXT UNSEEN)");
            assertThat(status.get(0)).isEqualTo("* STATUS \"Archive\" (MESSAGES 2 UIDNEXT 3 UNSEEN 2)");
            client.command("SELECT Archive");
            assertThat(client.command("FETCH 1:* (FLAGS)").get(0)).contains("$Important \\Flagged");
        }
    }

    @Test
    @Order(5)
    void appendWithLiteralsAndUidsSurviveRename() throws Exception {
        try (ImapTestClient client = login()) {
            String message = "From: alice@example.test\r\nSubject: draft\r\n\r\nDraft body\r\n";
            int length = message.getBytes(StandardCharsets.UTF_8).length;
            client.send("a1 APPEND Drafts (\\Draft) \" 5-Feb-2024 09:08:07 +0100\" {" + length + "}");
            assertThat(client.readLine()).startsWith("+");
            client.sendRaw(message.getBytes(StandardCharsets.UTF_8));
            client.send("");
            assertThat(last(client.readUntil("a1"))).containsPattern("a1 OK \\[APPENDUID \\d+ 1\\]");
            // LITERAL+: no continuation
            client.send("a2 APPEND Drafts {" + length + "+}");
            client.sendRaw(message.getBytes(StandardCharsets.UTF_8));
            client.send("");
            assertThat(last(client.readUntil("a2"))).contains("[APPENDUID ");
            assertThat(last(client.command("APPEND Nowhere {3+}\r\nabc"))).contains("TRYCREATE");
            String uidValidity = client.command("STATUS Drafts (UIDVALIDITY)").get(0).replaceAll(".*UIDVALIDITY (\\d+).*", "$1");
            client.command("RENAME Drafts Entwürfe");
            assertThat(client.command("STATUS Entwürfe (UIDVALIDITY)").get(0).replaceAll("(?s).*UIDVALIDITY (\\d+).*", "$1")).isEqualTo(uidValidity);
            client.command("SELECT Entwürfe");
            assertThat(client.command("UID FETCH 1 (INTERNALDATE FLAGS)").get(0))
                    .contains("INTERNALDATE \"05-Feb-2024 08:08:07 +0000\"".substring(0, 14)).contains("\\Draft");
            client.command("RENAME Entwürfe Drafts");
        }
    }

    @Test
    @Order(6)
    void twoSessionsSeeEachOtherAndIdleGetsNewMailWithinASecond() throws Exception {
        try (ImapTestClient a = login(); ImapTestClient b = login()) {
            a.command("ENABLE CONDSTORE");
            int exists = Integer.parseInt(a.command("SELECT INBOX").stream().filter(l -> l.endsWith(" EXISTS")).findFirst().orElseThrow()
                    .replaceAll("\\D", ""));
            b.command("SELECT INBOX");
            a.send("i1 IDLE");
            assertThat(a.readLine()).startsWith("+ ");
            long start = System.nanoTime();
            TestMessages.deliver(messageStore, accountId, 100);
            String existsLine = a.readLine();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(existsLine).isEqualTo("* " + (exists + 1) + " EXISTS");
            assertThat(millis).isLessThan(1000);
            assertThat(a.readLine()).isEqualTo("* 1 RECENT"); // a learnt of it first (RFC 3501 §2.3.2)
            b.command("STORE 1 +FLAGS (\\Answered)");
            assertThat(a.readLine()).matches("\\* 1 FETCH \\(UID \\d+ FLAGS \\(.*\\\\Answered.*\\) MODSEQ \\(\\d+\\)\\)");
            b.command("STORE 2 +FLAGS.SILENT (\\Deleted)");
            a.readLine();
            b.command("EXPUNGE");
            assertThat(a.readLine()).isEqualTo("* 2 EXPUNGE");
            // a message sent by SMTP (swaks to the MX) is pushed at the latest a second after the SMTP transaction ended
            CompletableFuture<Long> smtpDone = CompletableFuture.supplyAsync(() -> {
                try {
                    assertThat(Swaks.toMx("--from", "bob@example.net", "--to", USER, "--header", "Subject: pushed")).contains("250 2.0.0 OK");
                    return System.nanoTime();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(a.readLine()).isEqualTo("* " + (exists + 1) + " EXISTS");
            long pushed = System.nanoTime();
            assertThat(a.readLine()).isEqualTo("* 2 RECENT");
            assertThat((pushed - smtpDone.get(60, TimeUnit.SECONDS)) / 1_000_000).isLessThan(1000);
            a.send("DONE");
            assertThat(last(a.readUntil("i1"))).isEqualTo("i1 OK IDLE terminated");
            // outside IDLE, changes arrive with the next command
            TestMessages.deliver(messageStore, accountId, 101);
            assertThat(a.command("NOOP")).contains("* " + (exists + 2) + " EXISTS");
        }
    }

    @Test
    @Order(7)
    void badInputIsAnsweredAndTheSessionGoesOn() throws Exception {
        try (ImapTestClient client = login()) {
            assertThat(last(client.command("FROBNICATE"))).matches("t\\d+ BAD unknown command FROBNICATE");
            client.send("(((");
            assertThat(client.readLine()).startsWith("* BAD");
            client.command("SELECT INBOX");
            assertThat(last(client.command("SEARCH " + "(".repeat(100) + "ALL" + ")".repeat(100)))).contains("BAD").contains("nested");
            StringBuilder huge = new StringBuilder("1");
            for (int i = 3; i < 20000; i += 2) {
                huge.append(',').append(i);
            }
            assertThat(last(client.command("UID FETCH " + huge + " FLAGS"))).contains("OK");
            assertThat(last(client.command("UID FETCH 1:4294967295,1:4294967295 FLAGS"))).contains("OK");
            assertThat(last(client.command("FETCH 1 " + "x".repeat(70_000)))).contains("BAD").contains("TOOBIG");
            client.send("a9 APPEND INBOX {999999999999}");
            assertThat(client.readLine()).startsWith("a9 NO [TOOBIG]");
            assertThat(last(client.command("NOOP"))).contains("OK");
        }
        long before = count("SELECT COUNT(*) FROM messages");
        try (ImapTestClient client = login()) {
            client.send("a1 APPEND INBOX {100000}");
            client.readLine();
            client.sendRaw(new byte[50_000]);
        }
        Thread.sleep(500);
        try (var spool = Files.list(ApplianceTestResource.dataDir.resolve("spool"))) {
            assertThat(spool.toList()).isEmpty();
        }
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(before);
    }

    long count(String sql) {
        return db.read(c -> {
            try (var rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    @Order(8)
    void mailboxNamesInModifiedUtf7AndInUtf8AfterEnable() throws Exception {
        try (ImapTestClient client = login()) {
            assertThat(last(client.command("CREATE \"Entw&APw-rfe/&ZeVnLIqe-\""))).contains("OK");
            assertThat(String.join("\n", client.command("LIST \"\" Entw*"))).contains("\"Entw&APw-rfe\"", "\"Entw&APw-rfe/&ZeVnLIqe-\"");
            assertThat(last(client.command("SELECT Entw&APw-rfe/&ZeVnLIqe-"))).contains("OK");
            assertThat(last(client.command("RENAME Entw&APw-rfe Tom&-Jerry"))).contains("OK");
            assertThat(last(client.command("CREATE Entw&APw"))).startsWith("t").contains("BAD").contains("modified UTF-7");
            assertThat(client.command("CAPABILITY").get(0)).contains("UTF8=ACCEPT");
            assertThat(client.command("ENABLE UTF8=ACCEPT").get(0)).isEqualTo("* ENABLED UTF8=ACCEPT");
            assertThat(String.join("\n", client.command("LIST \"\" Tom*"))).contains("\"Tom&Jerry\"", "\"Tom&Jerry/日本語\"");
            assertThat(String.join("\n", client.command("STATUS \"Tom&Jerry/日本語\" (MESSAGES)"))).contains("* STATUS \"Tom&Jerry/日本語\" (MESSAGES 0)");
            assertThat(last(client.command("DELETE \"Tom&Jerry/日本語\""))).contains("OK");
            assertThat(last(client.command("DELETE Tom&Jerry"))).contains("OK");
        }
    }

    @Test
    @Order(90) // locks 127.0.0.1 out: every test that logs in from there runs before
    void repeatedLoginFailuresAreSlowedThenLockedOut() throws Exception {
        try (ImapTestClient client = ImapTestClient.tls(imaps())) {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) { // mailkeep.limits.auth-failures (default 5)
                assertThat(last(client.command("LOGIN bob@example.test wrong" + i))).contains("NO [AUTHENTICATIONFAILED]");
            }
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(5 * ImapSession.FAILED_LOGIN_DELAY_MILLIS);
            assertThat(last(client.command("LOGIN bob@example.test bob-secret-12"))).contains("NO [UNAVAILABLE]");
        }
    }

    @Test
    @Order(30)
    void flagSearchesAnsweredBySqliteMatchTheRowByRowAnswers() throws Exception {
        try (ImapTestClient client = login()) {
            client.command("CREATE Flags");
            String[] flags = {"", "\\Seen", "\\Seen \\Flagged", "\\Deleted", "\\Answered \\Seen", "\\Draft", "$Forwarded",
                    "$forwarded \\Seen", "$Label1 \\Flagged", "\\Deleted \\Seen $Label1", "Seen", "\\Seenx"};
            for (int i = 0; i < 36; i++) {
                String message = TestMessages.message(i);
                client.command("APPEND Flags (" + flags[i % flags.length] + ") {" + message.getBytes(StandardCharsets.UTF_8).length + "+}\r\n"
                        + message);
            }
            client.command("SELECT Flags");
            client.command("STORE 30:36 -FLAGS (\\Seen)"); // a few mod-sequences above the rest
            String[] keys = {"UNSEEN", "SEEN", "FLAGGED", "UNFLAGGED", "DELETED", "UNDELETED", "ANSWERED", "UNANSWERED", "DRAFT",
                    "UNDRAFT", "KEYWORD $Forwarded", "KEYWORD $FORWARDED", "UNKEYWORD $label1", "KEYWORD Seen", "NOT SEEN",
                    "OR SEEN FLAGGED", "OR DELETED NOT (DRAFT UNSEEN)", "SEEN FLAGGED", "ALL", "NEW", "OLD", "RECENT", "MODSEQ 2",
                    "NOT MODSEQ 2", "(UNSEEN) (UNDELETED)"};
            for (String key : keys) {
                // LARGER 0 holds for every message and is matched row by row in Java: the reference answer
                List<String> bySql = client.command("UID SEARCH " + key);
                List<String> byRows = client.command("UID SEARCH " + key + " LARGER 0");
                assertThat(untagged(bySql)).as(key).isEqualTo(untagged(byRows));
            }
            String[] subjects = {"report", "REPORT 1", "e 1", "Fwd", "message_1", "100%", "age 2", "Gr\u00fc\u00dfe", "nothing like it"};
            for (String subject : subjects) {
                // a SUBJECT inside OR is matched row by row without the SQL prefilter: the reference answer
                List<String> narrowed = client.command("UID SEARCH CHARSET UTF-8 SUBJECT \"" + subject + "\" UNDELETED");
                List<String> byRows = client.command("UID SEARCH CHARSET UTF-8 OR SUBJECT \"" + subject + "\" SUBJECT \"" + subject + "\" UNDELETED");
                assertThat(untagged(narrowed)).as(subject).isEqualTo(untagged(byRows));
            }
            assertThat(client.command("SEARCH SUBJECT \"e 1\"").get(0)).isEqualTo("* SEARCH 2 13 14 17 18");
            assertThat(client.command("SEARCH UNSEEN").get(0)).isEqualTo("* SEARCH 1 4 6 7 9 11 12 13 16 18 19 21 23 24 25 28 30 31 32 33 34 35 36");
            assertThat(client.command("SEARCH KEYWORD $forwarded").get(0)).isEqualTo("* SEARCH 7 8 19 20 31 32");
            assertThat(client.command("SEARCH RETURN (COUNT) DELETED").get(0)).endsWith("COUNT 6");
        }
    }

    @Test
    @Order(32)
    void everySearchKeyOfRfc3501AnswersAsItsDefinitionSays() throws Exception {
        // five messages whose answers are worked out by hand: sent dates 1-5 Feb 2024 (Date:), internal dates 10-14 Mar 2024
        String[][] messages = {
                {"\\Seen \\Answered", "10-Mar-2024 12:00:00 +0000", "From: Ann <ann@a.test>\r\nTo: bob@b.test\r\nCc: carol@c.test\r\n"
                        + "Date: Thu, 1 Feb 2024 12:00:00 +0000\r\nSubject: Budget 2024\r\n\r\nnumbers attached\r\n"},
                {"\\Flagged $Work", "11-Mar-2024 12:00:00 +0000", "From: dan@d.test\r\nTo: ann@a.test\r\nBcc: eve@e.test\r\n"
                        + "Date: Fri, 2 Feb 2024 12:00:00 +0000\r\nSubject: Lunch?\r\n\r\npizza at noon\r\n"},
                {"\\Draft \\Seen", "12-Mar-2024 12:00:00 +0000", "From: Ann <ann@a.test>\r\nTo: dan@d.test\r\n"
                        + "Date: Sat, 3 Feb 2024 12:00:00 +0000\r\nSubject: Re: Lunch?\r\n\r\nyes please\r\n" + "padding line\r\n".repeat(200)},
                {"\\Deleted", "13-Mar-2024 12:00:00 +0000", "From: frank@f.test\r\nTo: bob@b.test\r\nX-Priority: 1\r\n"
                        + "Date: Sun, 4 Feb 2024 12:00:00 +0000\r\nSubject: Invoice\r\n\r\nplease pay\r\n"},
                {"", "14-Mar-2024 12:00:00 +0000", "From: Ann <ann@a.test>\r\nTo: team@b.test\r\nDate: Mon, 5 Feb 2024 12:00:00 +0000\r\n"
                        + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Transfer-Encoding: 8bit\r\n\r\nSch\u00f6ne Woche\r\n"}};
        try (ImapTestClient client = login()) {
            client.command("CREATE Keys");
            for (String[] m : messages) {
                byte[] bytes = m[2].getBytes(StandardCharsets.UTF_8);
                assertThat(last(client.command("APPEND Keys (" + m[0] + ") \"" + m[1] + "\" {" + bytes.length + "+}\r\n" + m[2])))
                        .contains("OK [APPENDUID");
            }
            client.command("SELECT Keys");
            String[] uids = client.command("UID SEARCH ALL").get(0).substring("* SEARCH ".length()).split(" ");
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("ALL", "1 2 3 4 5");
            expected.put("ANSWERED", "1");
            expected.put("UNANSWERED", "2 3 4 5");
            expected.put("SEEN", "1 3");
            expected.put("UNSEEN", "2 4 5");
            expected.put("FLAGGED", "2");
            expected.put("UNFLAGGED", "1 3 4 5");
            expected.put("DELETED", "4");
            expected.put("UNDELETED", "1 2 3 5");
            expected.put("DRAFT", "3");
            expected.put("UNDRAFT", "1 2 4 5");
            expected.put("KEYWORD $work", "2");
            expected.put("UNKEYWORD $Work", "1 3 4 5");
            expected.put("FROM ann", "1 3 5");
            expected.put("TO bob", "1 4");
            expected.put("CC carol", "1");
            expected.put("BCC eve", "2");
            expected.put("SUBJECT lunch", "2 3");
            expected.put("CHARSET UTF-8 SUBJECT gr\u00fc\u00dfe", "5");
            expected.put("HEADER X-Priority 1", "4");
            expected.put("HEADER X-Priority \"\"", "4"); // an empty string: every message with the field
            expected.put("BODY pizza", "2");
            expected.put("BODY lunch", ""); // only in a subject: BODY looks at the body alone
            expected.put("TEXT lunch", "2 3"); // TEXT: header and body
            expected.put("CHARSET UTF-8 BODY sch\u00f6ne", "5");
            expected.put("LARGER 2000", "3");
            expected.put("SMALLER 2000", "1 2 4 5");
            expected.put("BEFORE 12-Mar-2024", "1 2"); // internal date, disregarding time and timezone
            expected.put("ON 12-Mar-2024", "3");
            expected.put("SINCE 13-Mar-2024", "4 5");
            expected.put("SENTBEFORE 3-Feb-2024", "1 2"); // the Date: header
            expected.put("SENTON 2-Feb-2024", "2");
            expected.put("SENTSINCE 4-Feb-2024", "4 5");
            expected.put("SENTBEFORE 12-Mar-2024", "1 2 3 4 5");
            expected.put("UID " + uids[1] + ":" + uids[2], "2 3");
            expected.put("2,4:5", "2 4 5");
            expected.put("*", "5");
            expected.put("NOT FROM ann", "2 4");
            expected.put("OR FLAGGED DELETED", "2 4");
            expected.put("FROM ann SEEN", "1 3");
            expected.put("(OR ANSWERED DRAFT) NOT SMALLER 2000", "3");
            for (Map.Entry<String, String> key : expected.entrySet()) {
                String answer = key.getValue().isEmpty() ? "* SEARCH" : "* SEARCH " + key.getValue();
                assertThat(client.command("SEARCH " + key.getKey()).get(0)).as(key.getKey()).isEqualTo(answer);
            }
        }
    }

    @Test
    @Order(31)
    void headerFieldsFromTheCacheAreByteIdenticalToTheFile() throws Exception {
        String folded = "From: Folded <folded@example.net>\r\nSubject: a long\r\n subject, folded\r\nX-Priority: 1\r\n"
                + "References: <a@example.net>\r\n\t<b@example.net>\r\nX-Long: " + "x".repeat(3000) + "\r\n"
                + "X-Utf8: Gr\u00fc\u00dfe\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n";
        String huge = "From: huge@example.net\r\nSubject: huge header\r\n" + ("X-Filler: " + "y".repeat(70) + "\r\n").repeat(200) + "\r\nbody\r\n";
        try (ImapTestClient client = login()) {
            client.command("CREATE Headers");
            for (String message : List.of(folded, huge, TestMessages.message(2), TestMessages.message(1))) {
                client.command("APPEND Headers {" + message.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + message);
            }
            client.command("SELECT INBOX");
            assertThat(last(client.command("UID COPY 1:* Headers"))).contains("OK"); // delivered by SMTP: not all cached yet
            client.command("SELECT Headers");
            String fetch = "UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (Subject References X-Long X-Utf8)] BODY.PEEK[HEADER.FIELDS.NOT (X-Long Date)] "
                    + "BODY.PEEK[HEADER])";
            List<String> fromAppend = client.command(fetch);
            assertThat(String.join("\n", fromAppend)).contains("Subject: a long\r\n subject, folded\r\nReferences: <a@example.net>\r\n\t<b@example.net>\r\n")
                    .contains("X-Utf8: Gr\u00fc\u00dfe\r\n");
            String ofThisMailbox = "message_id IN (SELECT mm.message_id FROM mailbox_messages mm JOIN mailboxes b ON b.id = mm.mailbox_id "
                    + "WHERE b.name = 'Headers')";
            String cachedHeaders = "SELECT COUNT(header) FROM imap_message_cache WHERE " + ofThisMailbox;
            long headers = count(cachedHeaders);
            assertThat(headers).isGreaterThan(3);
            List<String> cachedNow = client.command(fetch);
            db.write(c -> c.createStatement().executeUpdate("UPDATE imap_message_cache SET header = NULL WHERE " + ofThisMailbox));
            List<String> fromFiles = client.command(fetch); // read from the files, and cached again
            assertThat(count(cachedHeaders)).isEqualTo(headers);
            List<String> cachedAgain = client.command(fetch);
            db.write(c -> c.createStatement().executeUpdate("DELETE FROM imap_message_cache WHERE " + ofThisMailbox));
            List<String> parsedAgain = client.command(fetch);
            List<String> expected = untagged(fromAppend);
            assertThat(expected).hasSizeGreaterThan(4);
            assertThat(untagged(cachedNow)).isEqualTo(expected);
            assertThat(untagged(fromFiles)).isEqualTo(expected);
            assertThat(untagged(cachedAgain)).isEqualTo(expected);
            assertThat(untagged(parsedAgain)).isEqualTo(expected);
            // the one with a 14 KB header is answered from its file, not cached
            assertThat(count("SELECT COUNT(*) FROM imap_message_cache WHERE header IS NULL AND " + ofThisMailbox)).isEqualTo(1);
            // BODY[] is the whole file, epilogue included, without parsing it
            List<String> whole = client.command("UID FETCH 4 (RFC822.SIZE BODY.PEEK[])");
            String size = whole.get(0).replaceAll(".*RFC822.SIZE (\\d+).*", "$1").replaceAll("(?s)\r\n.*", "");
            assertThat(whole.get(0)).contains("BODY[] {" + size + "}").contains("epilogue");
            // a raw UTF-8 subject whose Kelvin sign lower-cases to an ASCII k in Java (SQLite's LIKE would not see it)
            String kelvin = "From: a@example.net\r\nSubject: 300 \u212Aelvin\r\n\r\nwarm\r\n";
            client.command("APPEND Headers {" + kelvin.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + kelvin);
            assertThat(client.command("SEARCH SUBJECT kelvin")).anyMatch(line -> line.matches("\\* SEARCH \\d+"));
        }
    }

    @Test
    @Order(9)
    void hundredThousandMessagesSelectAndListFlagsWithoutBodies() throws Exception {
        long box = db.write(c -> Directory.createMailbox(c, accountId, "Big", null));
        db.write(c -> {
            long messageId;
            try (var rs = c.createStatement().executeQuery("SELECT MIN(id) FROM messages")) {
                rs.next();
                messageId = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO mailbox_messages(mailbox_id, uid, message_id, flags, modseq, internal_date) VALUES(?, ?, ?, ?, 1, 0)")) {
                for (int uid = 1; uid <= 100_000; uid++) {
                    ps.setLong(1, box);
                    ps.setLong(2, uid);
                    ps.setLong(3, messageId);
                    ps.setString(4, uid % 3 == 0 ? "\\Seen" : "");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.createStatement().executeUpdate("UPDATE mailboxes SET uidnext = 100001 WHERE id = " + box);
            c.createStatement().executeUpdate("UPDATE messages SET refcount = refcount + 100000 WHERE id = " + messageId);
            return null;
        });
        try (ImapTestClient client = login()) {
            long start = System.nanoTime();
            assertThat(client.command("SELECT Big")).contains("* 100000 EXISTS");
            List<String> flags = client.command("UID FETCH 1:* (FLAGS)");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(flags).hasSize(100_001);
            assertThat(flags.get(2)).isEqualTo("* 3 FETCH (UID 3 FLAGS (\\Seen \\Recent))"); // the first session to see them
            assertThat(millis).isLessThan(20_000);
        }
    }

    // ---- bad input, item by item (issue 3 "Bad input"); docs/imap-conformance.md lists what each test checks ----

    @Test
    @Order(11)
    void malformedCommandsAndCommandsInTheWrongStateGetBadAndTheSessionGoesOn() throws Exception {
        try (ImapTestClient client = ImapTestClient.plain(imap())) {
            client.send("");
            assertThat(client.readLine()).startsWith("* BAD"); // no tag could be read
            client.send("a1");
            assertThat(client.readLine()).startsWith("a1 BAD");
            client.send("a2 NOOP {3}"); // a synchronizing literal where none is allowed: BAD instead of "+"
            assertThat(client.readLine()).startsWith("a2 BAD");
            client.send("a3 {3}");
            assertThat(client.readLine()).startsWith("a3 BAD");
            client.send("{3}");
            assertThat(client.readLine()).startsWith("* BAD");
            for (String command : List.of("SELECT INBOX", "ENABLE CONDSTORE", "IDLE", "NAMESPACE", "FETCH 1 FLAGS", "CREATE x", "UNSELECT")) {
                assertThat(last(client.command(command))).as(command).matches("t\\d+ BAD log in first");
            }
            assertThat(last(client.command("NOOP"))).matches("t\\d+ OK .*");
        }
        try (ImapTestClient client = login()) {
            for (String command : List.of("FETCH 1 FLAGS", "STORE 1 +FLAGS (\\Seen)", "SEARCH ALL", "CHECK", "UNSELECT", "CLOSE", "EXPUNGE",
                    "UID EXPUNGE 1", "COPY 1 Trash", "MOVE 1 Trash")) {
                assertThat(last(client.command(command))).as(command).matches("t\\d+ BAD no mailbox selected");
            }
            assertThat(last(client.command("LOGIN a b"))).contains("BAD already logged in");
            assertThat(last(client.command("AUTHENTICATE PLAIN " + plain(USER, PASSWORD)))).contains("BAD already logged in");
            assertThat(last(client.command("STARTTLS"))).contains("BAD");
            assertThat(last(client.command("FROBNICATE"))).contains("BAD unknown command");
            assertThat(last(client.command("SELECT IN\u0001BOX"))).contains("BAD");
            assertThat(last(client.command("STATUS INBOX (MESSAGES FROB)"))).contains("BAD unknown STATUS item");
            assertThat(last(client.command("LOGIN \"unterminated"))).contains("BAD unterminated");
            assertThat(last(client.command("NOOP {3+}\r\nabc"))).contains("BAD unexpected"); // read (non-synchronizing), then refused
            assertThat(last(client.command("EXAMINE INBOX"))).contains("OK [READ-ONLY]");
            assertThat(last(client.command("FETCH 1 (FLAGS"))).contains("BAD expected ')'");
            assertThat(last(client.command("FETCH 1 FLAGS)"))).contains("BAD unexpected");
            assertThat(last(client.command("STORE 1 +FLAGS (\\Seen)"))).contains("NO [READ-ONLY]");
            assertThat(last(client.command("EXPUNGE"))).contains("NO [READ-ONLY]");
            assertThat(last(client.command("NOOP"))).matches("t\\d+ OK .*");
        }
    }

    @Test
    @Order(12)
    void literalsOverTheLimitAreRefusedBeforeTheyAreRead() throws Exception {
        long limit;
        try (ImapTestClient client = login()) {
            Matcher announced = Pattern.compile("APPENDLIMIT=(\\d+)").matcher(client.command("CAPABILITY").get(0));
            assertThat(announced.find()).isTrue();
            limit = Long.parseLong(announced.group(1));
            client.send("a1 SEARCH TEXT {" + (ImapSession.MAX_COMMAND + 1) + "}");
            assertThat(client.readLine()).startsWith("a1 BAD [TOOBIG]"); // no "+": the client never sends it
            client.send("a2 APPEND INBOX {" + (limit + 1) + "}");
            assertThat(client.readLine()).startsWith("a2 NO [TOOBIG]"); // RFC 7889
            client.send("a3 APPEND INBOX (\\Seen) \" 5-Feb-2024 09:08:07 +0100\" {" + (limit + 1) + "}");
            assertThat(client.readLine()).startsWith("a3 NO [TOOBIG]");
            // LITERAL+ (not LITERAL-) is announced: a non-synchronizing literal over 4096 bytes but under the limit is taken
            String big = "Subject: big\r\n\r\n" + "y".repeat(6000) + "\r\n";
            assertThat(last(client.command("APPEND INBOX {" + big.length() + "+}\r\n" + big))).contains("OK [APPENDUID");
            assertThat(last(client.command("NOOP"))).matches("t\\d+ OK .*");
        }
        // RFC 7888 §4: a non-synchronizing literal is already on its way; we do not read it but end the session, saying why
        try (ImapTestClient client = login()) {
            client.send("a1 APPEND INBOX {" + (limit + 1) + "+}");
            assertThat(client.readLine()).isEqualTo("* BYE [TOOBIG] literal too large");
            assertThat(client.isClosed()).isTrue();
        }
        try (ImapTestClient client = ImapTestClient.tls(imaps())) {
            client.send("a1 LOGIN {" + (ImapSession.MAX_COMMAND + 1) + "+}");
            assertThat(client.readLine()).isEqualTo("* BYE [TOOBIG] literal too large");
            assertThat(client.isClosed()).isTrue();
        }
        awaitNoSpoolFiles();
    }

    @Test
    @Order(13)
    void deepNestingAndHugeSequenceSetsGetAnswersOrBadWithoutExpansion() throws Exception {
        try (ImapTestClient client = login()) {
            int exists = exists(client.command("SELECT INBOX"));
            String deep = "(".repeat(10_000);
            assertThat(last(client.command("SEARCH " + deep + "ALL" + ")".repeat(10_000)))).contains("BAD search keys nested too deeply");
            assertThat(last(client.command("SEARCH " + "NOT ".repeat(10_000) + "ALL"))).contains("BAD search keys nested too deeply");
            assertThat(last(client.command("FETCH 1 " + deep + "FLAGS" + ")".repeat(10_000)))).contains("BAD");
            assertThat(last(client.command("UID FETCH 1 (BODY.PEEK[HEADER.FIELDS " + deep + "])"))).contains("BAD");
            assertThat(client.command("UID FETCH 1:4294967295 (UID)")).hasSize(exists + 1);
            assertThat(client.command("FETCH *:1 (UID)")).hasSize(exists + 1);
            assertThat(client.command("UID SEARCH UID 1:4294967295").get(0).split(" ")).hasSize(exists + 2);
            assertThat(last(client.command("FETCH 0 FLAGS"))).contains("BAD");
            assertThat(last(client.command("FETCH 1:4294967295 FLAGS"))).contains("BAD"); // RFC 3501 §9: beyond the last message
            assertThat(last(client.command("UID FETCH 4294967296 FLAGS"))).contains("BAD").contains("out of range");
            assertThat(last(client.command("UID FETCH 4000000000:4294967295 FLAGS"))).contains("OK"); // no such UIDs: nothing
            assertThat(last(client.command("UID FETCH " + "1,".repeat(49_999) + "1 FLAGS"))).contains("BAD [TOOBIG]"); // 50,000 numbers
            assertThat(last(client.command("NOOP"))).matches("t\\d+ OK .*");
        }
    }

    static int exists(List<String> select) {
        return Integer.parseInt(select.stream().filter(l -> l.endsWith(" EXISTS")).findFirst().orElseThrow().replaceAll("\\D", ""));
    }

    @Test
    @Order(14)
    void disconnectsInTheMiddleOfLiteralsAndAppendsLeaveNothingBehind() throws Exception {
        dropConnectionsMidway(4); // warm-up: classes loaded, pools filled
        awaitConnections(0);
        long files = openFiles();
        long messages = count("SELECT COUNT(*) FROM messages");
        dropConnectionsMidway(60);
        awaitConnections(0);
        awaitNoSpoolFiles();
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(messages);
        assertThat(openFiles()).isLessThanOrEqualTo(files + 5); // a leak would be one or more per dropped connection
    }

    void dropConnectionsMidway(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            ImapTestClient client = i % 5 == 4 ? ImapTestClient.tls(imaps()) : login();
            switch (i % 5) {
                case 0 -> { // synchronizing APPEND, half the message sent
                    client.send("a APPEND INBOX {100000}");
                    assertThat(client.readLine()).startsWith("+");
                    client.sendRaw(new byte[50_000]);
                }
                case 1 -> { // LITERAL+ APPEND, half sent
                    client.send("a APPEND INBOX (\\Seen) {100000+}");
                    client.sendRaw(new byte[50_000]);
                }
                case 2 -> { // a literal of another command (memory, not spool)
                    client.command("SELECT INBOX");
                    client.send("a SEARCH TEXT {1000}");
                    assertThat(client.readLine()).startsWith("+");
                    client.sendRaw(new byte[500]);
                }
                case 3 -> { // in IDLE
                    client.command("SELECT INBOX");
                    client.send("a IDLE");
                    assertThat(client.readLine()).startsWith("+");
                }
                default -> { // before login, in the middle of LOGIN's literal
                    client.send("a LOGIN {20}");
                    assertThat(client.readLine()).startsWith("+");
                    client.sendRaw("alice".getBytes(StandardCharsets.US_ASCII));
                }
            }
            client.close();
        }
    }

    /** Open file descriptors of this JVM, which runs the appliance under test (sockets, files, pipes). */
    static long openFiles() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Waits until the IMAP server counts {@code n} live connections (its health check reports the count). */
    void awaitConnections(int n) throws Exception {
        for (int i = 0; i < 100 && !imapServer.check().reason().equals(n + " IMAP connections"); i++) {
            Thread.sleep(100);
        }
        assertThat(imapServer.check().reason()).isEqualTo(n + " IMAP connections");
    }

    void awaitNoSpoolFiles() throws Exception {
        Path spool = ApplianceTestResource.dataDir.resolve("spool");
        for (int i = 0; i < 100; i++) {
            try (var files = Files.list(spool)) {
                if (files.findAny().isEmpty()) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        try (var files = Files.list(spool)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    @Order(91)
    void failuresLockOutTheIpAndTheAccountForImapAndSmtpAuthAlike() throws Exception {
        directory.createAccount(Address.parse("carol@example.test").orElseThrow(), "carol-secret-1", "Carol");
        // per IP: five failures with five different (unknown) accounts by AUTHENTICATE PLAIN with SASL-IR from 127.0.0.31,
        // on five connections at once (each failure is answered after a second, so one connection would take five)
        inParallel(5, i -> {
            try (ImapTestClient client = ImapTestClient.tls(imaps(), "127.0.0.31")) {
                assertThat(last(client.command("AUTHENTICATE PLAIN " + plain("nobody" + i + "@example.test", "guess"))))
                        .contains("NO [AUTHENTICATIONFAILED]");
            }
        });
        try (ImapTestClient client = ImapTestClient.tls(imaps(), "127.0.0.31")) {
            assertThat(last(client.command("LOGIN " + USER + " " + PASSWORD))).contains("NO [UNAVAILABLE]"); // right password, locked IP
        }
        assertThat(smtpAuth("127.0.0.31", USER, PASSWORD)).startsWith("454 ");
        try (ImapTestClient client = ImapTestClient.tls(imaps(), "127.0.0.3")) {
            assertThat(last(client.command("LOGIN " + USER + " " + PASSWORD))).contains("OK"); // the account is not locked
        }
        // per account: carol's password guessed from five IPs, by LOGIN and by AUTHENTICATE with a continuation
        inParallel(5, i -> {
            try (ImapTestClient client = ImapTestClient.tls(imaps(), "127.0.0." + (10 + i))) {
                if (i % 2 == 0) {
                    assertThat(last(client.command("LOGIN carol@example.test guess" + i))).contains("NO [AUTHENTICATIONFAILED]");
                } else {
                    client.send("a AUTHENTICATE PLAIN");
                    assertThat(client.readLine()).startsWith("+");
                    client.send(plain("carol@example.test", "guess" + i));
                    assertThat(last(client.readUntil("a"))).contains("NO [AUTHENTICATIONFAILED]");
                }
            }
        });
        try (ImapTestClient client = ImapTestClient.tls(imaps(), "127.0.0.20")) {
            assertThat(last(client.command("LOGIN carol@example.test carol-secret-1"))).contains("NO [UNAVAILABLE]");
            assertThat(last(client.command("AUTHENTICATE PLAIN " + plain("carol@example.test", "carol-secret-1")))).contains("NO [UNAVAILABLE]");
            assertThat(last(client.command("LOGIN " + USER + " " + PASSWORD))).contains("OK"); // the IP is not locked
        }
        assertThat(smtpAuth("127.0.0.21", "carol@example.test", "carol-secret-1")).startsWith("454 ");
        assertThat(smtpAuth("127.0.0.22", USER, PASSWORD)).startsWith("235 ");
    }

    interface Attempt {
        void run(int i) throws Exception;
    }

    /** Runs {@code n} attempts at once and rethrows the first failure. */
    static void inParallel(int n, Attempt attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                results.add(pool.submit(() -> {
                    attempt.run(index);
                    return null;
                }));
            }
            for (Future<Object> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** AUTH PLAIN on the submissions port (implicit TLS) from {@code localIp}: the SMTP reply to it. */
    static String smtpAuth(String localIp, String user, String password) throws Exception {
        int port = ApplianceTestResource.PORTS.get("mailkeep.submissions.port");
        Socket raw = new Socket();
        raw.bind(new InetSocketAddress(localIp, 0));
        raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        try (SSLSocket ssl = (SSLSocket) ImapTestClient.trustAll().getSocketFactory().createSocket(raw, "localhost", port, true)) {
            ssl.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(ssl.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = ssl.getOutputStream();
            smtpReply(in);
            out.write("EHLO test.example\r\n".getBytes(StandardCharsets.US_ASCII));
            smtpReply(in);
            out.write(("AUTH PLAIN " + plain(user, password) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return smtpReply(in);
        }
    }

    static String smtpReply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
            assertThat(line).isNotNull();
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    // ---- the extension list (issue 3 "Protocol"); docs/imap-conformance.md maps each to these tests ----

    @Test
    @Order(20)
    void capabilitiesBeforeAndAfterTlsAndLogin() throws Exception {
        List<String> afterLogin = List.of("IMAP4rev1", "IMAP4rev2", "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS", "MOVE",
                "SPECIAL-USE", "CREATE-SPECIAL-USE", "UNSELECT", "CHILDREN", "ESEARCH", "CONDSTORE", "QRESYNC", "QUOTA", "QUOTA=RES-STORAGE",
                "LIST-EXTENDED", "LIST-STATUS", "BINARY", "UTF8=ACCEPT");
        try (ImapTestClient client = ImapTestClient.plain(imap())) {
            assertThat(words(client.greeting)).contains("IMAP4rev1", "IMAP4rev2", "STARTTLS", "LOGINDISABLED", "LITERAL+")
                    .noneMatch(w -> w.startsWith("AUTH=")).doesNotContain("SASL-IR", "IDLE", "LITERAL-");
            client.startTls();
            assertThat(words(client.command("CAPABILITY").get(0))).contains("AUTH=PLAIN", "AUTH=LOGIN", "SASL-IR", "IMAP4rev2")
                    .doesNotContain("STARTTLS", "LOGINDISABLED");
            String ok = last(client.command("LOGIN " + USER + " " + PASSWORD));
            assertThat(words(ok)).containsAll(afterLogin); // the tagged OK carries the new list
            List<String> caps = words(client.command("CAPABILITY").get(0));
            assertThat(caps).containsAll(afterLogin).anyMatch(w -> w.matches("APPENDLIMIT=\\d+"))
                    .noneMatch(w -> w.startsWith("AUTH=")).doesNotContain("SASL-IR", "STARTTLS", "LOGINDISABLED", "LITERAL-");
        }
        try (ImapTestClient client = ImapTestClient.tls(imaps())) {
            assertThat(words(client.greeting)).contains("AUTH=PLAIN", "SASL-IR").doesNotContain("STARTTLS", "LOGINDISABLED");
        }
    }

    static List<String> words(String line) {
        return List.of(line.replaceAll("[\\[\\]]", " ").trim().split(" +"));
    }

    long extAccount;

    /** A session of an account of the extension tests (created with messages 1 to 4 on first use). */
    ImapTestClient ext() throws Exception {
        if (extAccount == 0) {
            extAccount = directory.createAccount(Address.parse("ext@example.test").orElseThrow(), PASSWORD, "Ext").id();
            for (int i = 1; i <= 4; i++) {
                TestMessages.deliver(messageStore, extAccount, i);
            }
        }
        ImapTestClient client = ImapTestClient.tls(imaps());
        assertThat(last(client.command("LOGIN ext@example.test " + PASSWORD))).contains("OK");
        return client;
    }

    static long number(List<String> lines, String name) {
        Matcher m = Pattern.compile(name + " \\(?(\\d+)").matcher(String.join("\n", lines));
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    @Order(21)
    void enableUidplusUnselectAndEsearch() throws Exception {
        try (ImapTestClient client = ext()) {
            assertThat(client.command("ENABLE CONDSTORE X-UNKNOWN").get(0)).isEqualTo("* ENABLED CONDSTORE"); // RFC 5161 §3.1
            assertThat(last(client.command("APPEND INBOX {14+}\r\nSubject: x\r\n\r\n"))).matches("t\\d+ OK \\[APPENDUID \\d+ 5\\] .*");
            client.command("SELECT INBOX");
            client.command("STORE 1,3 +FLAGS.SILENT (\\Deleted)");
            List<String> expunge = client.command("UID EXPUNGE 3"); // RFC 4315 §2.1: only the named UIDs, though 1 is \Deleted too
            assertThat(expunge).hasSize(2);
            assertThat(expunge.get(0)).isEqualTo("* 3 EXPUNGE");
            assertThat(last(client.command("UNSELECT"))).contains("OK"); // RFC 3691: no expunge
            assertThat(client.command("STATUS INBOX (MESSAGES DELETED)").get(0)).isEqualTo("* STATUS \"INBOX\" (MESSAGES 4 DELETED 1)");
            client.command("SELECT INBOX");
            assertThat(last(client.command("CLOSE"))).contains("OK"); // CLOSE expunges
            assertThat(client.command("STATUS INBOX (MESSAGES DELETED)").get(0)).isEqualTo("* STATUS \"INBOX\" (MESSAGES 3 DELETED 0)");
            client.command("SELECT INBOX"); // UIDs 2, 4, 5
            assertThat(client.command("SEARCH RETURN () ALL").get(0)).matches("\\* ESEARCH \\(TAG \"t\\d+\"\\) ALL 1:3"); // RFC 4731 §3.1
            assertThat(client.command("UID SEARCH RETURN (MIN MAX COUNT) ALL").get(0)).matches("\\* ESEARCH \\(TAG \"t\\d+\"\\) UID MIN 2 MAX 5 COUNT 3");
            assertThat(client.command("SEARCH RETURN (MIN MAX COUNT) DELETED").get(0)).matches("\\* ESEARCH \\(TAG \"t\\d+\"\\) COUNT 0");
            assertThat(client.command("UID SEARCH RETURN (ALL) NOT UID 4").get(0)).endsWith(" UID ALL 2,5");
            assertThat(last(client.command("SEARCH RETURN (SAVE) ALL"))).contains("BAD"); // SEARCHRES is not announced
        }
    }

    @Test
    @Order(22)
    void condstoreAndQresync() throws Exception {
        long uidValidity;
        long modSeq;
        try (ImapTestClient client = ext()) {
            List<String> select = client.command("SELECT INBOX (CONDSTORE)");
            uidValidity = number(select, "UIDVALIDITY");
            long highest = number(select, "HIGHESTMODSEQ");
            List<String> store = client.command("STORE 1 +FLAGS (\\Flagged)");
            assertThat(store.get(0)).matches("\\* 1 FETCH \\(FLAGS \\(\\\\Flagged\\) MODSEQ \\(\\d+\\)\\)");
            modSeq = number(store, "MODSEQ");
            assertThat(modSeq).isGreaterThan(highest);
            List<String> changed = client.command("FETCH 1:* (FLAGS) (CHANGEDSINCE " + highest + ")");
            assertThat(changed).hasSize(2);
            assertThat(changed.get(0)).isEqualTo("* 1 FETCH (FLAGS (\\Flagged) MODSEQ (" + modSeq + "))");
            assertThat(last(client.command("STORE 1 (UNCHANGEDSINCE " + highest + ") +FLAGS (\\Seen)"))).contains("OK [MODIFIED 1]");
            assertThat(client.command("SEARCH MODSEQ " + modSeq).get(0)).isEqualTo("* SEARCH 1 (MODSEQ " + modSeq + ")");
            assertThat(number(client.command("STATUS INBOX (HIGHESTMODSEQ)"), "HIGHESTMODSEQ")).isGreaterThanOrEqualTo(modSeq);
            client.command("STORE 2 +FLAGS.SILENT (\\Deleted)"); // UID 4
            assertThat(client.command("EXPUNGE").get(0)).isEqualTo("* 2 EXPUNGE");
        }
        try (ImapTestClient client = ext()) {
            assertThat(client.command("ENABLE QRESYNC").get(0)).isEqualTo("* ENABLED QRESYNC");
            List<String> select = client.command("SELECT INBOX (QRESYNC (" + uidValidity + " " + modSeq + "))");
            assertThat(select).contains("* VANISHED (EARLIER) 4"); // RFC 7162 §3.2.5.1
            client.command("STORE 1 +FLAGS.SILENT (\\Deleted)"); // UID 2
            assertThat(client.command("EXPUNGE").get(0)).isEqualTo("* VANISHED 2"); // not EXPUNGE once QRESYNC is on
            assertThat(client.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + modSeq + " VANISHED)").get(0)).isEqualTo("* VANISHED (EARLIER) 2,4");
            assertThat(client.command("SELECT Sent").get(0)).isEqualTo("* OK [CLOSED] previous mailbox closed");
        }
    }

    @Test
    @Order(23)
    void quotaListExtendedSpecialUseAndAppendLimit() throws Exception {
        try (ImapTestClient client = ext()) {
            List<String> none = client.command("GETQUOTAROOT INBOX"); // no quota: no root, no empty resource list (RFC 9208 formal syntax)
            assertThat(none).hasSize(2);
            assertThat(none.get(0)).isEqualTo("* QUOTAROOT \"INBOX\"");
            assertThat(last(client.command("GETQUOTA \"\""))).contains("NO [NONEXISTENT]");
            directory.setQuota("ext@example.test", 10 * 1024 * 1024);
            List<String> root = client.command("GETQUOTAROOT INBOX");
            assertThat(root.get(0)).isEqualTo("* QUOTAROOT \"INBOX\" \"\"");
            assertThat(root.get(1)).matches("\\* QUOTA \"\" \\(STORAGE [1-9]\\d* 10240\\)");
            assertThat(client.command("GETQUOTA \"\"").get(0)).isEqualTo(root.get(1));
            assertThat(last(client.command("SETQUOTA \"\" (STORAGE 1)"))).contains("NO [NOPERM]");
            client.command("SELECT INBOX");
            client.command("STORE 1 +FLAGS.SILENT (\\Deleted)");
            assertThat(client.command("STATUS INBOX (DELETED DELETED-STORAGE)").get(0))
                    .matches("\\* STATUS \"INBOX\" \\(DELETED 1 DELETED-STORAGE [1-9]\\d*\\)"); // RFC 9208
            client.command("STORE 1 -FLAGS.SILENT (\\Deleted)");

            client.command("CREATE Lists/Sub");
            client.command("UNSUBSCRIBE Lists");
            assertThat(client.command("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\""))
                    .contains("* LIST (\\HasChildren) \"/\" \"Lists\" (\"CHILDINFO\" (\"SUBSCRIBED\"))"); // RFC 5258 §3
            List<String> withChild = client.command("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"Lists*\"");
            assertThat(withChild).hasSize(2); // the subscribed child matches itself, so its parent is not listed for it
            assertThat(withChild.get(0)).isEqualTo("* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Lists/Sub\"");
            assertThat(last(client.command("LIST (RECURSIVEMATCH) \"\" \"*\""))).contains("BAD");
            assertThat(last(client.command("LIST (FROB) \"\" \"*\""))).contains("BAD");
            assertThat(last(client.command("LIST \"\" \"*\" RETURN (FROB)"))).contains("BAD");
            assertThat(client.command("LIST (REMOTE) \"\" INBOX").get(0)).startsWith("* LIST (").endsWith("\"INBOX\"");
            assertThat(client.command("LIST \"\" \"Lists*\" RETURN (SUBSCRIBED CHILDREN)"))
                    .contains("* LIST (\\HasChildren) \"/\" \"Lists\"", "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Lists/Sub\"");
            assertThat(client.command("LIST \"\" INBOX RETURN (STATUS (MESSAGES UIDNEXT))").get(1))
                    .matches("\\* STATUS \"INBOX\" \\(MESSAGES \\d+ UIDNEXT \\d+\\)"); // RFC 5819

            List<String> special = client.command("LIST (SPECIAL-USE) \"\" \"*\""); // RFC 6154
            assertThat(special).hasSize(6).noneMatch(l -> l.contains("INBOX") || l.contains("Lists"));
            assertThat(String.join("\n", special)).contains("\\Sent", "\\Drafts", "\\Junk", "\\Trash", "\\Archive");
            assertThat(last(client.command("CREATE Old (USE (\\Archive))"))).contains("OK");
            assertThat(client.command("LIST \"\" Old RETURN (SPECIAL-USE)").get(0)).isEqualTo("* LIST (\\HasNoChildren \\Archive) \"/\" \"Old\"");
            assertThat(last(client.command("CREATE Everything (USE (\\All))"))).contains("NO [USEATTR]");
            assertThat(client.command("LIST \"\" Everything")).hasSize(1);

            long limit = Long.parseLong(words(client.command("CAPABILITY").get(0)).stream().filter(w -> w.startsWith("APPENDLIMIT="))
                    .findFirst().orElseThrow().substring("APPENDLIMIT=".length()));
            assertThat(client.command("STATUS INBOX (APPENDLIMIT)").get(0)).isEqualTo("* STATUS \"INBOX\" (APPENDLIMIT " + limit + ")");
        }
    }

    @Test
    @Order(24)
    void binaryImap4rev2AndAuthenticationDetails() throws Exception {
        try (ImapTestClient client = ext()) {
            TestMessages.deliver(messageStore, extAccount, 2); // a 5,000-byte attachment in base64 as part 2
            client.command("SELECT INBOX");
            assertThat(client.command("FETCH * (BINARY.SIZE[2])").get(0)).contains("BINARY.SIZE[2] 5000");
            assertThat(client.command("FETCH * (BINARY.PEEK[2])").get(0)).contains("BINARY[2] ~{5000}\r\n"); // RFC 3516 §4.2
            assertThat(client.command("FETCH * (BINARY.PEEK[2]<0.10>)").get(0)).contains("BINARY[2]<0> ~{10}\r\n");
            assertThat(last(client.command("FETCH * (BINARY[1.MIME])"))).contains("BAD");
            assertThat(last(client.command("APPEND INBOX ~{14+}\r\nSubject: b\r\n\r\n"))).contains("OK [APPENDUID"); // literal8
            // a transfer encoding BINARY cannot undo: the FETCH fails with UNKNOWN-CTE, BODY still gives the raw part
            TestMessages.deliver(messageStore, extAccount, "Subject: uu\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                    + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a.bin\r\n#86)C\r\n`\r\nend\r\n--b--\r\n");
            client.command("NOOP");
            List<String> unknown = client.command("FETCH * (BINARY.PEEK[2])");
            assertThat(last(unknown)).contains("NO [UNKNOWN-CTE]");
            assertThat(unknown).noneMatch(l -> l.contains("BINARY[2]"));
            assertThat(last(client.command("FETCH * (BINARY.SIZE[2])"))).contains("NO [UNKNOWN-CTE]");
            assertThat(client.command("FETCH * (BINARY.PEEK[1])").get(0)).contains("BINARY[1] ~{12}\r\nsee attached");
            assertThat(client.command("FETCH * (BODY.PEEK[2])").get(0)).contains("begin 644 a.bin");
        }
        try (ImapTestClient client = ext()) {
            assertThat(client.command("ENABLE IMAP4rev2").get(0)).isEqualTo("* ENABLED IMAP4rev2");
            List<String> select = client.command("SELECT INBOX");
            assertThat(select).contains("* LIST () \"/\" \"INBOX\"").noneMatch(l -> l.contains("RECENT") || l.contains("[UNSEEN"));
            assertThat(client.command("SEARCH ALL").get(0)).matches("\\* ESEARCH \\(TAG \"t\\d+\"\\) ALL .+"); // RFC 9051 §6.4.4
            assertThat(client.command("SELECT Sent").get(0)).isEqualTo("* OK [CLOSED] previous mailbox closed"); // RFC 9051 §6.3.2
        }
        try (ImapTestClient client = ImapTestClient.tls(imaps())) {
            assertThat(last(client.command("AUTHENTICATE PLAIN ="))).contains("BAD"); // empty initial response: PLAIN needs 3 fields
            client.send("a AUTHENTICATE PLAIN");
            assertThat(client.readLine()).isEqualTo("+ ");
            client.send("*");
            assertThat(client.readLine()).isEqualTo("a BAD authentication cancelled"); // RFC 9051 §6.2.2
            assertThat(last(client.command("AUTHENTICATE CRAM-MD5"))).contains("NO");
            assertThat(last(client.command("LOGIN {16+}\r\next@example.test {" + PASSWORD.length() + "+}\r\n" + PASSWORD))).contains("OK");
            assertThat(client.command("ID NIL").get(0)).startsWith("* ID (\"name\" \"MailKeep\""); // RFC 2971
            assertThat(client.command("NAMESPACE").get(0)).isEqualTo("* NAMESPACE ((\"\" \"/\")) NIL NIL"); // RFC 2342
        }
        // AUTH=LOGIN (draft-murchison-sasl-login): a continuation asks for the user name, another for the password
        try (ImapTestClient client = ImapTestClient.tls(imaps())) {
            client.send("a AUTHENTICATE LOGIN");
            assertThat(client.readLine()).isEqualTo("+ VXNlcm5hbWU6");
            client.send(base64("ext@example.test"));
            assertThat(client.readLine()).isEqualTo("+ UGFzc3dvcmQ6");
            client.send(base64(PASSWORD));
            assertThat(last(client.readUntil("a"))).startsWith("a OK [CAPABILITY");
        }
        // with SASL-IR the user name comes on the command line
        try (ImapTestClient client = ImapTestClient.tls(imaps())) {
            client.send("a AUTHENTICATE LOGIN " + base64("ext@example.test"));
            assertThat(client.readLine()).isEqualTo("+ UGFzc3dvcmQ6");
            client.send(base64(PASSWORD));
            assertThat(last(client.readUntil("a"))).startsWith("a OK [CAPABILITY");
        }
    }

    private static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
