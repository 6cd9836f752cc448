package org.mailkeep.imap;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImapParserTest {

    @Test
    void simpleCommandsAndLogin() throws Exception {
        assertThat(ImapParser.parse("a1 capability")).isEqualTo(new Command.Simple("a1", "CAPABILITY"));
        assertThat(ImapParser.parse("a2 LOGIN \"al\\\"ice\" pass]word")).isEqualTo(new Command.Login("a2", "al\"ice", "pass]word"));
        assertThat(ImapParser.parse("a3 AUTHENTICATE plain AGFsaWNlAHB3")).isEqualTo(new Command.Authenticate("a3", "PLAIN", "AGFsaWNlAHB3"));
        assertThat(ImapParser.parse("a4 select inbox")).isEqualTo(new Command.Select("a4", "INBOX", false, false, null));
    }

    @Test
    void literalsBetweenLines() throws Exception {
        List<Object> parts = new ArrayList<>();
        parts.add("a1 LOGIN ".getBytes(StandardCharsets.US_ASCII));
        parts.add(Command.Literal.of("bob@example.test".getBytes(StandardCharsets.US_ASCII)));
        parts.add(" ".getBytes(StandardCharsets.US_ASCII));
        parts.add(Command.Literal.of("sécret".getBytes(StandardCharsets.UTF_8)));
        parts.add(new byte[0]);
        assertThat(ImapParser.parse(parts)).isEqualTo(new Command.Login("a1", "bob@example.test", "sécret"));
    }

    @Test
    void fetchItemsSectionsAndModifiers() throws Exception {
        Command.Fetch fetch = (Command.Fetch) ImapParser.parse(
                "f UID FETCH 1:*,7 (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From Subject)]<0.100> BINARY.SIZE[2] ENVELOPE) (CHANGEDSINCE 5 VANISHED)");
        assertThat(fetch.uid()).isTrue();
        assertThat(fetch.set().contains(9999, 10000)).isTrue();
        assertThat(fetch.changedSince()).isEqualTo(5);
        assertThat(fetch.vanished()).isTrue();
        Command.Section section = (Command.Section) fetch.items().get(1);
        assertThat(section.peek()).isTrue();
        assertThat(section.part()).containsExactly(1, 2);
        assertThat(section.text()).isEqualTo("HEADER.FIELDS");
        assertThat(section.fields()).containsExactly("FROM", "SUBJECT");
        assertThat(section.partialStart()).isZero();
        assertThat(section.partialLength()).isEqualTo(100);
        assertThat(((Command.Fetch) ImapParser.parse("f FETCH 1 FAST")).items()).hasSize(3);
    }

    @Test
    void searchKeysNest() throws Exception {
        Command.Search search = (Command.Search) ImapParser.parse(
                "s UID SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR (FROM \"Bob\" SINCE 1-Feb-2024) NOT SEEN UID 1:5 LARGER 10 HEADER X-Spam yes");
        assertThat(search.esearch()).isTrue();
        assertThat(search.returnOptions()).containsExactly("MIN", "COUNT");
        assertThat(search.charset()).isEqualTo("UTF-8");
        Command.And and = (Command.And) search.key();
        assertThat(and.keys()).hasSize(4);
        assertThat(and.keys().get(0)).isInstanceOf(Command.Or.class);
        assertThat(and.keys().get(3)).isEqualTo(new Command.Header("X-SPAM", "yes"));
    }

    @Test
    void storeCopyAppendListStatus() throws Exception {
        Command.Store store = (Command.Store) ImapParser.parse("s STORE 1:3 (UNCHANGEDSINCE 12) -FLAGS.SILENT (\\seen $Junk)");
        assertThat(store.unchangedSince()).isEqualTo(12);
        assertThat(store.mode()).isEqualTo('-');
        assertThat(store.silent()).isTrue();
        assertThat(store.flags()).containsExactly("\\Seen", "$Junk");
        assertThat(store.set().contains(3, 10)).isTrue();
        Command.Copy move = (Command.Copy) ImapParser.parse("m UID MOVE 4,6:8 \"Archive/2024\"");
        assertThat(move.move()).isTrue();
        assertThat(move.mailbox()).isEqualTo("Archive/2024");
        Command.ListCommand list = (Command.ListCommand) ImapParser.parse("l LIST (SUBSCRIBED) \"\" (INBOX \"%\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))");
        assertThat(list.selectOptions()).containsExactly("SUBSCRIBED");
        assertThat(list.patterns()).containsExactly("INBOX", "%");
        assertThat(list.statusItems()).containsExactly("MESSAGES", "UNSEEN");
        List<Object> parts = List.of("a APPEND Sent (\\Seen) \" 5-Feb-2024 09:08:07 +0100\" ".getBytes(StandardCharsets.US_ASCII),
                Command.Literal.of("Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), new byte[0]);
        Command.Append append = (Command.Append) ImapParser.parse(parts);
        assertThat(append.flags()).containsExactly("\\Seen");
        assertThat(append.date().toEpochSecond()).isEqualTo(1707120487L);
        assertThat(append.message().size()).isEqualTo(14);
    }

    @Test
    void badInputCarriesTheTag() {
        assertThatThrownBy(() -> ImapParser.parse("a1 FROB")).isInstanceOfSatisfying(ImapParser.ParseException.class,
                e -> assertThat(e.tag()).isEqualTo("a1"));
        assertThatThrownBy(() -> ImapParser.parse("(((")).isInstanceOfSatisfying(ImapParser.ParseException.class,
                e -> assertThat(e.tag()).isNull());
        assertThatThrownBy(() -> ImapParser.parse("a2 SEARCH " + "(".repeat(50) + "ALL" + ")".repeat(50)))
                .hasMessageContaining("nested too deeply");
        assertThatThrownBy(() -> ImapParser.parse("a3 FETCH 0:5 FLAGS")).isInstanceOf(ImapParser.ParseException.class);
        assertThatThrownBy(() -> ImapParser.parse("a4 FETCH 1:99999999999 FLAGS")).hasMessageContaining("invalid number");
        assertThatThrownBy(() -> ImapParser.parse("a5 LOGIN \"unterminated")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> ImapParser.parse("a6 NOOP extra")).hasMessageContaining("unexpected");
        assertThatThrownBy(() -> ImapParser.parse("a7 UID LOGIN a b")).hasMessageContaining("no UID form");
    }

    @Test
    void sequenceSetsAreNeverExpanded() {
        SequenceSet set = SequenceSet.parse("1:4294967295,5,*:3");
        assertThat(set.contains(4_000_000_000L, 10)).isTrue();
        assertThat(set.contains(7, 10)).isTrue();
        assertThat(SequenceSet.format(new long[] {1, 2, 3, 5, 7, 8}, 6)).isEqualTo("1:3,5,7:8");
    }

    @Test
    void mailboxNamesAreModifiedUtf7UnlessUtf8WasEnabled() throws Exception {
        assertThat(ImapParser.parse("c CREATE Entw&APw-rfe")).isEqualTo(new Command.Create("c", "Entwürfe", List.of()));
        assertThat(((Command.Rename) ImapParser.parse("r RENAME \"Entw&APw-rfe\" &ZeVnLIqe-/x")).to()).isEqualTo("日本語/x");
        assertThat(((Command.ListCommand) ImapParser.parse("l LIST \"\" Entw&APw-*")).patterns()).containsExactly("Entwü*");
        assertThatThrownBy(() -> ImapParser.parse("c CREATE Entw&APw")).isInstanceOf(ImapParser.ParseException.class)
                .hasMessageContaining("modified UTF-7");
        List<Object> utf8 = List.of("s SELECT \"Entw&APw-rfe/Grüße\"".getBytes(StandardCharsets.UTF_8));
        assertThat(((Command.Select) ImapParser.parse(utf8, true)).mailbox()).isEqualTo("Entw&APw-rfe/Grüße");
    }

    @Test
    void appendTakesTheUtf8DataItemOfRfc6855() throws Exception {
        List<Object> parts = new ArrayList<>();
        parts.add("a APPEND INBOX (\\Seen) UTF8 (".getBytes(StandardCharsets.US_ASCII));
        parts.add(Command.Literal.of("Subject: Grüße\r\n\r\nhi\r\n".getBytes(StandardCharsets.UTF_8)));
        parts.add(")".getBytes(StandardCharsets.US_ASCII));
        Command.Append append = (Command.Append) ImapParser.parse(parts, true);
        assertThat(append.flags()).containsExactly("\\Seen");
        assertThat(append.message().bytes()).isEqualTo("Subject: Grüße\r\n\r\nhi\r\n".getBytes(StandardCharsets.UTF_8));
    }

    static ImapParser.ParseException bad(String line) {
        try {
            ImapParser.parse(line);
        } catch (ImapParser.ParseException e) {
            return e;
        }
        throw new AssertionError("accepted: " + line);
    }

    @Test
    void malformedCommandsOfEveryShapeAreRefusedWithTheTagWhenOneCanBeRead() throws Exception {
        assertThat(bad("").tag()).isNull(); // an empty line: untagged BAD
        assertThat(bad(" NOOP").tag()).isNull();
        assertThat(bad("a1").tag()).isEqualTo("a1"); // tag only
        assertThat(bad("a1 ").tag()).isEqualTo("a1");
        assertThat(bad("a1 FROBNICATE").getMessage()).contains("unknown command");
        assertThat(bad("a1 SELECT IN\u0001BOX").tag()).isEqualTo("a1"); // a control character in an atom
        assertThat(bad("a1 STORE 1 +FLAGS (\\Seen (x))").tag()).isEqualTo("a1"); // '(' is an atom-special
        assertThat(bad("a1 FETCH 1 (FLAGS UID").getMessage()).contains("')'"); // unbalanced parentheses
        assertThat(bad("a1 FETCH 1 FLAGS)").getMessage()).contains("unexpected");
        assertThat(bad("a1 LOGIN \"alice secret").getMessage()).contains("unterminated"); // unbalanced quotes
        assertThat(bad("a1 LOGIN \"a\\x\" b").getMessage()).contains("escape");
        assertThat(bad("a1 STATUS INBOX (MESSAGES FROB)").getMessage()).contains("unknown STATUS item");
        assertThat(bad("a1 STATUS INBOX ()").getMessage()).contains("at least one");
        List<Object> literalAfterNoop = List.of("a1 NOOP ".getBytes(StandardCharsets.US_ASCII),
                Command.Literal.of("abc".getBytes(StandardCharsets.US_ASCII)), new byte[0]);
        assertThatThrownBy(() -> ImapParser.parse(literalAfterNoop)).hasMessageContaining("unexpected");
    }

    @Test
    void aLiteralIsAllowedOnlyWhereTheCommandTakesAString() {
        assertThat(ImapParser.literalAllowed("a1 LOGIN ".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(ImapParser.literalAllowed("a1 UID FETCH 1 (BODY[HEADER.FIELDS ".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(ImapParser.literalAllowed("a1 APPEND INBOX ".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(ImapParser.literalAllowed("a1 NOOP ".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(ImapParser.literalAllowed("a1 IDLE ".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(ImapParser.literalAllowed("a1 FROB ".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(ImapParser.literalAllowed("a1 ".getBytes(StandardCharsets.US_ASCII))).isFalse(); // in place of the command
        assertThat(ImapParser.literalAllowed("a1 UID ".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(ImapParser.literalAllowed(new byte[0])).isFalse(); // in place of the tag
    }

    @Test
    void tenThousandOpeningParenthesesAreRefusedWithoutRecursingIntoThem() {
        String deep = "(".repeat(10_000);
        for (String line : List.of("a SEARCH " + deep + "ALL" + ")".repeat(10_000), "a SEARCH " + "NOT ".repeat(10_000) + "ALL",
                "a SEARCH " + "OR ALL ".repeat(10_000) + "ALL", "a FETCH 1 " + deep + "FLAGS" + ")".repeat(10_000),
                "a UID FETCH 1:* (BODY[HEADER.FIELDS " + deep + "]", "a SETQUOTA \"\" " + deep,
                "a SELECT INBOX (QRESYNC (1 1 1:5 " + deep + "))", "a CREATE x (USE " + deep + ")", "a ID " + deep,
                "a STORE 1 FLAGS " + deep, "a LIST " + deep + " \"\" *", "a STATUS INBOX " + deep)) {
            assertThat(bad(line).tag()).as(line.substring(0, 20)).isEqualTo("a");
        }
    }

    @Test
    void hugeSequenceSetsAreParsedOrRefusedNeverExpanded() throws Exception {
        SequenceSet reversed = ((Command.Fetch) ImapParser.parse("a FETCH *:1 FLAGS")).set();
        assertThat(reversed.ranges(7)).containsExactly(new long[] {1, 7});
        SequenceSet all = ((Command.Fetch) ImapParser.parse("a UID FETCH 1:4294967295 FLAGS")).set();
        assertThat(all.ranges(5)).containsExactly(new long[] {1, 4294967295L});
        assertThat(bad("a FETCH 0 FLAGS").getMessage()).contains("invalid number");
        assertThat(bad("a FETCH 1:0 FLAGS").getMessage()).contains("invalid number");
        assertThat(bad("a UID FETCH 4294967296 FLAGS").getMessage()).contains("out of range");
        assertThat(bad("a UID FETCH 1:99999999999999999999 FLAGS").tag()).isEqualTo("a");
        assertThat(bad("a FETCH 1,,2 FLAGS").tag()).isEqualTo("a");
        assertThat(bad("a FETCH 1:*:3 FLAGS").tag()).isEqualTo("a");
        assertThat(bad("a FETCH 01 FLAGS").tag()).isEqualTo("a");
        // 50,000 numbers: two longs each, whatever the numbers are (a line this long is refused by the framer's 64 KiB first)
        String list = "4000000000," + "1,".repeat(49_998) + "7";
        SequenceSet many = SequenceSet.parse(list);
        assertThat(many.lows()).hasSize(50_000);
        assertThat(many.contains(4_000_000_000L, 10)).isTrue();
        assertThat(many.contains(3, 10)).isFalse();
    }

    @Test
    void listExtendedAndSpecialUseOptions() throws Exception {
        Command.ListCommand list = (Command.ListCommand) ImapParser.parse("l LIST (subscribed recursivematch remote) \"\" % RETURN (children)");
        assertThat(list.selectOptions()).containsExactly("SUBSCRIBED", "RECURSIVEMATCH", "REMOTE");
        assertThat(list.returnOptions()).containsExactly("CHILDREN");
        assertThat(bad("l LIST (RECURSIVEMATCH) \"\" *").getMessage()).contains("RECURSIVEMATCH");
        assertThat(bad("l LIST (FROB) \"\" *").getMessage()).contains("unknown LIST selection option");
        assertThat(bad("l LIST \"\" * RETURN (FROB)").getMessage()).contains("unknown LIST return option");
        assertThat(bad("l LIST \"\" * RETURN (STATUS (FROB))").getMessage()).contains("unknown STATUS item");
        assertThat(ImapParser.parse("c CREATE Old (USE (\\archive))")).isEqualTo(new Command.Create("c", "Old", List.of("\\Archive")));
        assertThat(ImapParser.parse("c CREATE Plain")).isEqualTo(new Command.Create("c", "Plain", List.of()));
        assertThat(bad("c CREATE Old (FROB (x))").getMessage()).contains("only USE");
    }
}
