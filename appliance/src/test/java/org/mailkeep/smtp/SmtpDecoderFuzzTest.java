package org.mailkeep.smtp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link SmtpDecoder} with what a hostile client can send: any octets, cut into any pieces, with the mode
 * switches a session makes (DATA after a "DATA" line, a chunk after "BDAT n"). The decoder has no "bad input"
 * exception: every input must come out as events. Checked for every input:
 * <ul>
 *   <li>a command line and the "." of DATA start where a line may start: at the start of a mode, or right after a
 *       CRLF (RFC 5321 §2.3.8, §4.1.1.4) — a bare LF or CR is never taken as a line end, whatever came before
 *       (over-long line, NUL), so no second message can be smuggled;</li>
 *   <li>a command line has no CR, LF or NUL and fits in {@link SmtpDecoder#MAX_LINE} octets with its CRLF
 *       (RFC 5321 §4.5.3.1.4); message content is CRLF-terminated lines of at most that length;</li>
 *   <li>a BDAT chunk is exactly the announced octets (RFC 3030 §2);</li>
 *   <li>memory stays bounded: while waiting for more input no more than one line is kept;</li>
 *   <li>every call makes progress (no hang) and no more octets come out than went in.</li>
 * </ul>
 */
class SmtpDecoderFuzzTest {

    private static final Pattern BDAT = Pattern.compile("BDAT ([0-9]{1,5})(?: LAST)?", Pattern.CASE_INSENSITIVE);
    private static final byte[] CRLF = {'\r', '\n'};

    @FuzzTest(maxDuration = "10s")
    void decoder(FuzzedDataProvider data) {
        int piece = data.consumeInt(1, 2048);
        byte[] input = data.consumeRemainingAsBytes();
        new Run(input).feedInPieces(piece);
    }

    /** One client's octets through one decoder, with the positions where a line may legitimately start. */
    private static final class Run {
        final byte[] input;
        final SmtpDecoder decoder = new SmtpDecoder();
        final BitSet modeStarts = new BitSet();
        int fed;
        long out;
        String mode = "COMMAND";
        long chunkLeft;
        boolean closed;

        Run(byte[] input) {
            this.input = input;
            modeStarts.set(0);
        }

        void feedInPieces(int piece) {
            long calls = 0;
            while (!closed) {
                SmtpDecoder.Event event = decoder.next();
                assertThat(++calls).as("decoder makes progress").isLessThan(4L * input.length + 100);
                if (event == null) {
                    if (!mode.equals("CHUNK")) {
                        assertThat(decoder.buffered()).as("octets held while waiting").isLessThanOrEqualTo(SmtpDecoder.MAX_LINE);
                    }
                    if (fed == input.length) {
                        break;
                    }
                    int n = Math.min(piece, input.length - fed);
                    decoder.feed(input, fed, n);
                    fed += n;
                    continue;
                }
                check(event);
            }
            assertThat(out).as("octets out").isLessThanOrEqualTo(input.length);
        }

        int consumed() {
            return fed - decoder.buffered();
        }

        boolean lineStart(int at) {
            return modeStarts.get(at) || (at >= 2 && input[at - 2] == '\r' && input[at - 1] == '\n');
        }

        void check(SmtpDecoder.Event event) {
            int at = consumed();
            if (event instanceof SmtpDecoder.Line line) {
                assertThat(mode).isEqualTo("COMMAND");
                assertThat(endsWithCrlf(at)).as("command line ends in CRLF").isTrue();
                int start = at - 2;
                while (start > 0 && input[start - 1] != '\n') {
                    start--;
                }
                assertThat(lineStart(start)).as("command line '%s' starts after a CRLF (offset %d)", abbreviate(line.text()), start).isTrue();
                assertThat(new String(input, start, at - 2 - start, StandardCharsets.UTF_8)).isEqualTo(line.text());
                assertThat(at - start).isLessThanOrEqualTo(SmtpDecoder.MAX_LINE);
                assertThat(line.text()).doesNotContain("\r", "\n", "\0");
                out += at - start;
                switchMode(line.text(), at);
            } else if (event instanceof SmtpDecoder.EndOfData) {
                assertThat(mode).isEqualTo("DATA");
                assertThat(at).isGreaterThanOrEqualTo(3);
                assertThat(new String(input, at - 3, 3, StandardCharsets.ISO_8859_1)).isEqualTo(".\r\n");
                assertThat(lineStart(at - 3)).as("end of data '.' starts after a CRLF (offset %d)", at - 3).isTrue();
                mode = "COMMAND";
                modeStarts.set(at);
            } else if (event instanceof SmtpDecoder.Content content) {
                out += content.bytes().length;
                if (mode.equals("CHUNK")) {
                    chunkLeft -= content.bytes().length;
                    assertThat(chunkLeft).as("chunk octets beyond the announced size").isGreaterThanOrEqualTo(0);
                } else {
                    assertThat(mode).isEqualTo("DATA");
                    checkContentLines(content.bytes());
                }
            } else if (event instanceof SmtpDecoder.ChunkEnd) {
                assertThat(mode).isEqualTo("CHUNK");
                assertThat(chunkLeft).as("chunk ended early").isZero();
                mode = "COMMAND";
                modeStarts.set(at);
            } else if (event instanceof SmtpDecoder.BareNewline) {
                closed = true; // the session closes the connection
            } else {
                assertThat(event).isInstanceOfAny(SmtpDecoder.LineTooLong.class, SmtpDecoder.Nul.class);
                assertThat(mode).isNotEqualTo("CHUNK");
            }
        }

        /** What a session does after these command lines: DATA, or BDAT with its size (RFC 3030 §2). */
        void switchMode(String text, int at) {
            Matcher bdat = BDAT.matcher(text);
            if (text.toUpperCase(Locale.ROOT).equals("DATA")) {
                decoder.startData();
                mode = "DATA";
                modeStarts.set(at);
            } else if (bdat.matches()) {
                chunkLeft = Long.parseLong(bdat.group(1));
                decoder.startChunk(chunkLeft);
                mode = "CHUNK";
            }
        }

        boolean endsWithCrlf(int at) {
            return at >= 2 && input[at - 2] == CRLF[0] && input[at - 1] == CRLF[1];
        }
    }

    /** Content is whole lines, each ending in CRLF, without NUL or bare CR/LF, none over the line limit (+1 for a removed dot). */
    private static void checkContentLines(byte[] bytes) {
        int lineStart = 0;
        for (int i = 0; i < bytes.length; i++) {
            assertThat(bytes[i]).as("NUL in content").isNotEqualTo((byte) 0);
            if (bytes[i] == '\r') {
                assertThat(i + 1 < bytes.length && bytes[i + 1] == '\n').as("bare CR in content").isTrue();
            }
            if (bytes[i] == '\n') {
                assertThat(i > 0 && bytes[i - 1] == '\r').as("bare LF in content").isTrue();
                assertThat(i + 1 - lineStart).isLessThanOrEqualTo(SmtpDecoder.MAX_LINE);
                lineStart = i + 1;
            }
        }
        assertThat(lineStart).as("content ends with a whole line").isEqualTo(bytes.length);
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
