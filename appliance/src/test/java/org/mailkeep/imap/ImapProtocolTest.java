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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.PreparedStatement;
import java.util.Base64;
import java.util.List;

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
            assertThat(String.join("\n", client.command("GETQUOTAROOT INBOX"))).contains("* QUOTAROOT \"INBOX\" \"\"");
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
            assertThat(client.command("FETCH 4 (FLAGS)").get(0)).contains("FLAGS ()");
            String full = String.join("\n", client.command("FETCH 4 BODY[]"));
            assertThat(full).contains("this is message number 4").contains("FLAGS (\\Seen)");
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
            assertThat(a.readLine()).isEqualTo("* 0 RECENT");
            b.command("STORE 1 +FLAGS (\\Answered)");
            assertThat(a.readLine()).matches("\\* 1 FETCH \\(UID \\d+ FLAGS \\(.*\\\\Answered.*\\) MODSEQ \\(\\d+\\)\\)");
            b.command("STORE 2 +FLAGS.SILENT (\\Deleted)");
            a.readLine();
            b.command("EXPUNGE");
            assertThat(a.readLine()).isEqualTo("* 2 EXPUNGE");
            a.send("DONE");
            assertThat(last(a.readUntil("i1"))).isEqualTo("i1 OK IDLE terminated");
            // outside IDLE, changes arrive with the next command
            TestMessages.deliver(messageStore, accountId, 101);
            assertThat(a.command("NOOP")).contains("* " + (exists + 1) + " EXISTS");
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
    @Order(100) // last: it locks the tests' IP out
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
            assertThat(flags.get(2)).isEqualTo("* 3 FETCH (UID 3 FLAGS (\\Seen))");
            assertThat(millis).isLessThan(20_000);
        }
    }
}
