package org.mailkeep.smtp;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SmtpDecoderTest {

    private final SmtpDecoder decoder = new SmtpDecoder();

    private List<SmtpDecoder.Event> feed(String text) {
        decoder.feed(text.getBytes(StandardCharsets.ISO_8859_1));
        List<SmtpDecoder.Event> events = new ArrayList<>();
        for (SmtpDecoder.Event e = decoder.next(); e != null; e = decoder.next()) {
            events.add(e);
        }
        return events;
    }

    /** Everything until the end of data, with content events joined, as a string. */
    private String data(String text) {
        decoder.startData();
        StringBuilder sb = new StringBuilder();
        for (SmtpDecoder.Event e : feed(text)) {
            if (e instanceof SmtpDecoder.Content c) {
                sb.append(new String(c.bytes(), StandardCharsets.ISO_8859_1));
            } else {
                sb.append('<').append(e.getClass().getSimpleName()).append('>');
            }
        }
        return sb.toString();
    }

    @Test
    void pipelinedCommandsComeOneByOne() {
        assertThat(feed("EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDA"))
                .containsExactly(new SmtpDecoder.Line("EHLO a.example"), new SmtpDecoder.Line("MAIL FROM:<a@b.example>"),
                        new SmtpDecoder.Line("RCPT TO:<c@d.example>"));
        assertThat(feed("TA\r\n")).containsExactly(new SmtpDecoder.Line("DATA"));
    }

    @Test
    void lineEndSplitBetweenReadsIsNotABareCr() {
        assertThat(feed("NOOP\r")).isEmpty();
        assertThat(feed("\nQUIT\r\n")).containsExactly(new SmtpDecoder.Line("NOOP"), new SmtpDecoder.Line("QUIT"));
    }

    @Test
    void bareLfAndBareCrInCommandsAreFatal() {
        assertThat(feed("NOOP\n")).containsExactly(new SmtpDecoder.BareNewline("LF"));
        SmtpDecoder other = new SmtpDecoder();
        other.feed("NO\rOP\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(other.next()).isEqualTo(new SmtpDecoder.BareNewline("CR"));
    }

    @Test
    void overlongCommandIsReportedOnceAndSkippedToItsEnd() {
        String longLine = "NOOP " + "x".repeat(1200);
        assertThat(feed(longLine.substring(0, 600))).isEmpty();
        assertThat(feed(longLine.substring(600))).containsExactly(new SmtpDecoder.LineTooLong());
        assertThat(feed("yyy\r\nQUIT\r\n")).containsExactly(new SmtpDecoder.Line("QUIT"));
    }

    @Test
    void lineOfExactly1000OctetsIsAccepted() {
        String line = "NOOP " + "x".repeat(993); // 998 + CRLF = 1000
        assertThat(feed(line + "\r\n")).containsExactly(new SmtpDecoder.Line(line));
        assertThat(feed(line + "x\r\n")).containsExactly(new SmtpDecoder.LineTooLong());
    }

    @Test
    void nulInCommandDropsTheLine() {
        assertThat(feed("NO\0OP\r\nQUIT\r\n")).containsExactly(new SmtpDecoder.Nul(), new SmtpDecoder.Line("QUIT"));
    }

    @Test
    void dataIsDotUnstuffedAndEndsAtTheDotLine() {
        assertThat(data("Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n"))
                .isEqualTo("Subject: x\r\n\r\n.leading dot\r\n<EndOfData><Line>");
    }

    @Test
    void dotLineSplitAcrossReads() {
        decoder.startData();
        assertThat(data("body\r\n.")).isEqualTo("body\r\n");
        assertThat(data("\r")).isEmpty();
        assertThat(data("\n")).isEqualTo("<EndOfData>");
    }

    @Test
    void everySmugglingFormIsABareNewlineNotAnEnd() {
        // <LF>.<LF>, <CR>.<CR>, <LF>.<CR><LF>, <CR><LF>.<LF>, <CR>.<CR><LF>: none may end the message
        for (String smuggle : List.of("\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n")) {
            SmtpDecoder fresh = new SmtpDecoder();
            fresh.startData();
            fresh.feed(("Subject: a\r\n\r\nbody" + smuggle + "MAIL FROM:<evil@example.net>\r\n").getBytes(StandardCharsets.US_ASCII));
            List<SmtpDecoder.Event> events = new ArrayList<>();
            for (SmtpDecoder.Event e = fresh.next(); e != null; e = fresh.next()) {
                events.add(e);
            }
            assertThat(events).as(smuggle.replace("\r", "<CR>").replace("\n", "<LF>"))
                    .doesNotContain(new SmtpDecoder.EndOfData()).last().isInstanceOf(SmtpDecoder.BareNewline.class);
        }
    }

    /** Every event of {@code parts} fed one after another into a fresh decoder, in DATA mode when {@code data}. */
    private static List<SmtpDecoder.Event> events(boolean data, String... parts) {
        SmtpDecoder fresh = new SmtpDecoder();
        if (data) {
            fresh.startData();
        }
        List<SmtpDecoder.Event> events = new ArrayList<>();
        for (String part : parts) {
            fresh.feed(part.getBytes(StandardCharsets.ISO_8859_1));
            for (SmtpDecoder.Event e = fresh.next(); e != null; e = fresh.next()) {
                events.add(e);
            }
        }
        return events;
    }

    @Test
    void aBareLfAfterAnOverlongLineOrANulIsFatalNotALineEnd() {
        // issue 15: the skip mode after a bad line took a bare LF as its end, so a smuggled transaction followed
        String smuggled = "\n.\r\nMAIL FROM:<b@example.net>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n";
        for (boolean data : new boolean[] {true, false}) {
            for (String bad : List.of("X".repeat(200_000), "a\0b")) {
                String what = (data ? "DATA " : "command ") + (bad.length() > 10 ? "long line" : "NUL");
                // in one read, and cut so that the bad line is skipped across reads
                List<SmtpDecoder.Event> whole = events(data, "Subject: x\r\n\r\n" + bad + smuggled);
                List<SmtpDecoder.Event> split = events(data, "Subject: x\r\n\r\n" + bad.substring(0, 2), bad.substring(2), smuggled);
                for (List<SmtpDecoder.Event> events : List.of(whole, split)) {
                    assertThat(events).as(what).last().isInstanceOf(SmtpDecoder.BareNewline.class);
                    assertThat(events).as(what).doesNotContain(new SmtpDecoder.Line("MAIL FROM:<b@example.net>"), new SmtpDecoder.EndOfData());
                }
            }
        }
        assertThat(events(false, "NOOP " + "x".repeat(1200) + "\rMAIL FROM:<b@example.net>\r\n")).last().isEqualTo(new SmtpDecoder.BareNewline("CR"));
    }

    @Test
    void aSkippedLineMayEndInACrlfSplitAcrossReads() {
        assertThat(events(false, "NOOP " + "x".repeat(1200) + "\r", "\nQUIT\r\n"))
                .containsExactly(new SmtpDecoder.LineTooLong(), new SmtpDecoder.Line("QUIT"));
        assertThat(events(false, "NOOP " + "x".repeat(1200), "yy\r", "\nQUIT\r\n"))
                .containsExactly(new SmtpDecoder.LineTooLong(), new SmtpDecoder.Line("QUIT"));
        assertThat(events(true, "a\0" + "b".repeat(10), "c\r", "\n.\r\n")).containsExactly(new SmtpDecoder.Nul(), new SmtpDecoder.EndOfData());
    }

    @Test
    void longDataLineAndNulAreReportedAndTheMessageGoesOnToItsEnd() {
        assertThat(data("a\r\n" + "b".repeat(1500) + "\r\nc\0d\r\ne\r\n.\r\n"))
                .isEqualTo("a\r\n<LineTooLong><Nul>e\r\n<EndOfData>");
    }

    @Test
    void chunkIsTakenRawAndExactly() {
        decoder.startChunk(9);
        List<SmtpDecoder.Event> events = feed("a\n.\r\nbcdeQUIT\r\n");
        assertThat(new String(((SmtpDecoder.Content) events.get(0)).bytes(), StandardCharsets.US_ASCII)).isEqualTo("a\n.\r\nbcde");
        assertThat(events.subList(1, events.size())).containsExactly(new SmtpDecoder.ChunkEnd(), new SmtpDecoder.Line("QUIT"));
    }

    @Test
    void emptyChunkEndsAtOnce() {
        decoder.startChunk(0);
        assertThat(feed("")).containsExactly(new SmtpDecoder.ChunkEnd());
    }

    @Test
    void discardAfterStartTlsDropsInjectedCommands() {
        assertThat(feed("STARTTLS\r\nRSET\r\n").get(0)).isEqualTo(new SmtpDecoder.Line("STARTTLS"));
        // the session discards right after the STARTTLS line: the pipelined RSET sent in clear must vanish
        SmtpDecoder fresh = new SmtpDecoder();
        fresh.feed("STARTTLS\r\nMAIL FROM:<x@y.example>\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(fresh.next()).isEqualTo(new SmtpDecoder.Line("STARTTLS"));
        fresh.discardBuffered();
        assertThat(fresh.next()).isNull();
        assertThat(fresh.buffered()).isZero();
    }
}
