package org.mailkeep.imap;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class CommandFramerTest {

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void linesAndLiteralAnnouncements() {
        CommandFramer framer = new CommandFramer(1000);
        framer.feed(bytes("a1 NOOP\r\na2 LOGIN {5}\r\n"));
        CommandFramer.Line first = (CommandFramer.Line) framer.next();
        assertThat(new String(first.bytes(), StandardCharsets.US_ASCII)).isEqualTo("a1 NOOP");
        assertThat(first.literalSize()).isEqualTo(-1);
        CommandFramer.Line second = (CommandFramer.Line) framer.next();
        assertThat(new String(second.bytes(), StandardCharsets.US_ASCII)).isEqualTo("a2 LOGIN ");
        assertThat(second.literalSize()).isEqualTo(5);
        assertThat(second.nonSynchronizing()).isFalse();
        assertThat(framer.next()).isNull();
        framer.acceptLiteral(5);
        framer.feed(bytes("al"));
        CommandFramer.LiteralData part = (CommandFramer.LiteralData) framer.next();
        assertThat(part.length()).isEqualTo(2);
        assertThat(part.last()).isFalse();
        framer.feed(bytes("ice {3+}\r\n"));
        CommandFramer.LiteralData rest = (CommandFramer.LiteralData) framer.next();
        assertThat(new String(rest.bytes(), rest.offset(), rest.length(), StandardCharsets.US_ASCII)).isEqualTo("ice");
        assertThat(rest.last()).isTrue();
        CommandFramer.Line third = (CommandFramer.Line) framer.next();
        assertThat(third.literalSize()).isEqualTo(3);
        assertThat(third.nonSynchronizing()).isTrue();
        assertThat(new String(third.bytes(), StandardCharsets.US_ASCII)).isEqualTo(" ");
    }

    @Test
    void overlongLinesAreReportedOnceAndSkipped() {
        CommandFramer framer = new CommandFramer(10);
        framer.feed(bytes("t1 " + "x".repeat(100) + "\r\nt2 NOOP\r\n"));
        CommandFramer.LineTooLong tooLong = (CommandFramer.LineTooLong) framer.next();
        assertThat(ImapParser.tagOf(tooLong.start())).isEqualTo("t1");
        CommandFramer.Line next = (CommandFramer.Line) framer.next();
        assertThat(new String(next.bytes(), StandardCharsets.US_ASCII)).isEqualTo("t2 NOOP");
    }

    @Test
    void malformedLiteralAnnouncementsAreOrdinaryLineText() {
        CommandFramer framer = new CommandFramer(1000);
        framer.feed(bytes("a LOGIN {99999999999999999999}\r\nb LOGIN {-1}\r\nc LOGIN {}\r\nd LOGIN {12x}\r\n"));
        for (int i = 0; i < 4; i++) {
            CommandFramer.Line line = (CommandFramer.Line) framer.next();
            assertThat(line.literalSize()).as(new String(line.bytes(), StandardCharsets.US_ASCII)).isEqualTo(-1);
        }
        assertThat(framer.next()).isNull();
    }

    @Test
    void anEmptyLineAndABareLineFeedAreLines() {
        CommandFramer framer = new CommandFramer(1000);
        framer.feed(bytes("\r\n\nt1 NOOP\n"));
        assertThat(((CommandFramer.Line) framer.next()).bytes()).isEmpty();
        assertThat(((CommandFramer.Line) framer.next()).bytes()).isEmpty();
        assertThat(new String(((CommandFramer.Line) framer.next()).bytes(), StandardCharsets.US_ASCII)).isEqualTo("t1 NOOP");
    }

    @Test
    void aFiftyThousandNumberSequenceSetIsTooLongALine() {
        CommandFramer framer = new CommandFramer(ImapSession.MAX_COMMAND);
        framer.feed(bytes("t1 UID FETCH " + "1,".repeat(49_999) + "1 FLAGS\r\nt2 NOOP\r\n"));
        assertThat(ImapParser.tagOf(((CommandFramer.LineTooLong) framer.next()).start())).isEqualTo("t1");
        assertThat(new String(((CommandFramer.Line) framer.next()).bytes(), StandardCharsets.US_ASCII)).isEqualTo("t2 NOOP");
    }
}
