package org.mailkeep.imap;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the IMAP command path of a session through its entry points that stay whatever the session's inner
 * structure: {@link CommandFramer} (bytes to lines and literals) and {@link ImapParser#parse(List, boolean)}
 * (a command's parts to a {@link Command}). The one documented bad-input outcome is
 * {@link ImapParser.ParseException} (the BAD answer, RFC 3501 §7.1.5); any other exception, a hang or a stack
 * overflow (nesting is capped at {@link ImapParser#MAX_DEPTH}) is a crash.
 */
class ImapParserFuzzTest {

    /** Line limit of the fuzzed framer: small, so that over-long lines are reached often. */
    private static final int MAX_LINE = 512;
    /** Largest literal the fuzz "session" accepts (the real session refuses larger ones before the client sends them). */
    private static final int MAX_LITERAL = 4096;

    /** A command's parts as the session hands them over: lines (without CRLF and announcement) alternating with literals. */
    @FuzzTest(maxDuration = "10s")
    void parser(FuzzedDataProvider data) {
        boolean utf8 = data.consumeBoolean();
        List<Object> parts = new ArrayList<>();
        int literals = data.consumeInt(0, 3);
        for (int i = 0; i < literals; i++) {
            parts.add(withoutLf(data.consumeBytes(data.consumeInt(0, 300))));
            parts.add(Command.Literal.of(data.consumeBytes(data.consumeInt(0, 300))));
        }
        parts.add(withoutLf(data.consumeRemainingAsBytes()));
        parse(parts, utf8);
    }

    /** Raw client bytes through the framer, literals accepted as the session does, each complete command parsed. */
    @FuzzTest(maxDuration = "10s")
    void framer(FuzzedDataProvider data) {
        int piece = data.consumeInt(1, 1024);
        boolean utf8 = data.consumeBoolean();
        byte[] input = data.consumeRemainingAsBytes();
        CommandFramer framer = new CommandFramer(MAX_LINE);
        List<Object> parts = new ArrayList<>();
        java.io.ByteArrayOutputStream literal = null;
        long literalLeft = -1;
        long out = 0;
        int fed = 0;
        long calls = 0;
        while (true) {
            CommandFramer.Event event = framer.next();
            assertThat(++calls).as("framer makes progress").isLessThan(4L * input.length + 100);
            if (event == null) {
                assertThat(literalLeft).as("a literal's last piece came before more input was needed").isNotZero();
                if (fed == input.length) {
                    break;
                }
                int n = Math.min(piece, input.length - fed);
                framer.feed(Arrays.copyOfRange(input, fed, fed + n));
                fed += n;
                continue;
            }
            if (event instanceof CommandFramer.Line line) {
                assertThat(literal).as("a line while a literal is being read").isNull();
                assertThat(line.bytes().length).isLessThanOrEqualTo(MAX_LINE);
                assertThat(line.bytes()).doesNotContain((byte) '\n');
                out += line.bytes().length;
                parts.add(line.bytes());
                if (line.literalSize() >= 0 && line.literalSize() <= MAX_LITERAL) {
                    framer.acceptLiteral(line.literalSize());
                    literal = new java.io.ByteArrayOutputStream();
                    literalLeft = line.literalSize();
                } else {
                    parse(parts, utf8);
                    parts.clear();
                }
            } else if (event instanceof CommandFramer.LiteralData piece2) {
                assertThat(literal).as("literal data that was not accepted").isNotNull();
                assertThat(piece2.offset()).isBetween(0, piece2.bytes().length);
                assertThat(piece2.length()).isBetween(0, piece2.bytes().length - piece2.offset());
                literal.write(piece2.bytes(), piece2.offset(), piece2.length());
                literalLeft -= piece2.length();
                out += piece2.length();
                assertThat(literalLeft).as("literal octets beyond the announced size").isGreaterThanOrEqualTo(0);
                assertThat(piece2.last()).isEqualTo(literalLeft == 0);
                if (piece2.last()) {
                    parts.add(Command.Literal.of(literal.toByteArray()));
                    literal = null;
                    literalLeft = -1;
                }
            } else {
                CommandFramer.LineTooLong tooLong = (CommandFramer.LineTooLong) event;
                assertThat(tooLong.start().length).isLessThanOrEqualTo(64);
                ImapParser.tagOf(tooLong.start());
                parts.clear();
                literal = null;
                literalLeft = -1;
            }
        }
        assertThat(out).as("octets out").isLessThanOrEqualTo(input.length);
    }

    private static void parse(List<Object> parts, boolean utf8) {
        byte[] first = (byte[]) parts.get(0);
        String tag = ImapParser.tagOf(first);
        ImapParser.literalAllowed(first);
        try {
            Command command = ImapParser.parse(parts, utf8);
            assertThat(command.tag()).as("tag of a parsed command").isEqualTo(tag);
        } catch (ImapParser.ParseException e) {
            if (e.tag() != null) {
                assertThat(new String(first, StandardCharsets.ISO_8859_1)).startsWith(e.tag());
            }
        }
    }

    /** The framer never gives a line with an LF in it. */
    private static byte[] withoutLf(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                bytes[i] = ' ';
            }
        }
        return bytes;
    }
}
