package org.mailkeep.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the bytes an SMTP client sends into commands and message content. Pure: the session feeds it what
 * the socket delivered and pulls one {@link Event} at a time; between events it switches the mode (DATA,
 * BDAT, discard after STARTTLS), so pipelined input is cut exactly where each mode begins.
 * <p>
 * Written by hand because no maintained Java library parses SMTP server input in a streaming, non-blocking
 * way; the rules are few and each is cited.
 * <ul>
 *   <li>Lines end in CRLF only (RFC 5321 §2.3.8). A bare LF or bare CR anywhere is fatal, as with Postfix's
 *       {@code smtpd_forbid_bare_newline}: this closes every SMTP smuggling form ({@code <LF>.<LF>},
 *       {@code <CR>.<CR>}, {@code <LF>.<CR><LF>}) because none of them is ever taken as a line end.</li>
 *   <li>Lines are at most 1000 octets with the CRLF (RFC 5321 §4.5.3.1.4 and §4.5.3.1.6).</li>
 *   <li>NUL is not allowed in commands or text (RFC 5321 §4.1.1, RFC 5322 §2.3).</li>
 *   <li>DATA ends with a line holding only "." and leading dots are removed (RFC 5321 §4.5.2).</li>
 *   <li>BDAT chunks are exactly the announced number of octets, taken as they are (RFC 3030 §2).</li>
 * </ul>
 */
public final class SmtpDecoder {

    /** Longest line including its CRLF (RFC 5321 §4.5.3.1.4/§4.5.3.1.6). */
    public static final int MAX_LINE = 1000;

    /** What the client sent next. */
    public sealed interface Event permits Line, LineTooLong, BareNewline, Nul, Content, EndOfData, ChunkEnd {
    }

    /** A command line without its CRLF, decoded as UTF-8 (RFC 6531 allows UTF-8 addresses). */
    public record Line(String text) implements Event {
    }

    /** A line longer than {@link #MAX_LINE}; its octets up to the next CRLF are dropped (a bare LF or CR in them is still fatal). In DATA the message goes on to its end. */
    public record LineTooLong() implements Event {
    }

    /** A bare LF or CR: the connection must end (no line boundary can be trusted any more). */
    public record BareNewline(String which) implements Event {
    }

    /** A NUL octet in a command line (dropped) or in message text (the message goes on to its end). */
    public record Nul() implements Event {
    }

    /** Message octets, dot-unstuffed, with their CRLFs. */
    public record Content(byte[] bytes) implements Event {
    }

    /** The "." line of DATA. */
    public record EndOfData() implements Event {
    }

    /** The last octet of a BDAT chunk was read. */
    public record ChunkEnd() implements Event {
    }

    private enum Mode { COMMAND, DATA, CHUNK }

    private byte[] buf = new byte[4096];
    private int start;
    private int end;
    private Mode mode = Mode.COMMAND;
    private long chunkLeft;
    /** Dropping the rest of an over-long line or one with a NUL, up to its CRLF. */
    private boolean skipping;

    /** Adds received octets. */
    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    public void feed(byte[] bytes, int offset, int length) {
        if (end + length > buf.length) {
            int used = end - start;
            byte[] target = used + length > buf.length ? new byte[Math.max(buf.length * 2, used + length)] : buf;
            System.arraycopy(buf, start, target, 0, used);
            buf = target;
            start = 0;
            end = used;
        }
        System.arraycopy(bytes, offset, buf, end, length);
        end += length;
    }

    /** Octets received but not yet decoded. */
    public int buffered() {
        return end - start;
    }

    /** After "354": the following octets are message text. */
    public void startData() {
        mode = Mode.DATA;
    }

    /** After a BDAT command: the next {@code size} octets are message content. */
    public void startChunk(long size) {
        mode = Mode.CHUNK;
        chunkLeft = size;
    }

    /**
     * Forgets everything received so far. After STARTTLS anything the client sent before the handshake was
     * sent in clear and may have been injected (RFC 3207 §6; CVE-2011-0411).
     */
    public void discardBuffered() {
        start = end = 0;
        skipping = false;
    }

    /** The next event, or null when more input is needed. */
    public Event next() {
        return switch (mode) {
            case COMMAND -> nextCommand();
            case DATA -> nextData();
            case CHUNK -> nextChunk();
        };
    }

    private Event nextCommand() {
        while (true) {
            if (skipping) {
                Event bad = skip();
                if (bad != null || skipping) {
                    return bad;
                }
            }
            int lf = indexOf((byte) '\n', start, end);
            int limit = lf < 0 ? end : lf + 1;
            Event bad = checkLine(start, limit, lf >= 0);
            if (bad != null) {
                return bad;
            }
            if (lf < 0) {
                return null;
            }
            String text = new String(buf, start, lf - 1 - start, StandardCharsets.UTF_8);
            start = lf + 1;
            return new Line(text);
        }
    }

    /**
     * Checks the octets of one line from {@code from} to {@code to} (the LF included when {@code complete}).
     * Returns the event for a bad line, having consumed what must be dropped, or null when the line is fine so far.
     */
    private Event checkLine(int from, int to, boolean complete) {
        // the line end is checked before its content: a NUL must not make a bare LF after it count as the end of the line
        Event bare = bareNewline(from, to);
        if (bare != null) {
            return bare;
        }
        for (int i = from; i < to; i++) {
            if (buf[i] == 0) {
                dropLine(complete, to);
                return new Nul();
            }
        }
        if (to - from > MAX_LINE) {
            dropLine(complete, to);
            return new LineTooLong();
        }
        return null;
    }

    /** A bare LF or CR between {@code from} and {@code to} (all input is then dropped), else null. */
    private Event bareNewline(int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b == '\n' && (i == from || buf[i - 1] != '\r')) {
                start = end;
                return new BareNewline("LF");
            }
            if (b == '\r' && i + 1 < end && buf[i + 1] != '\n') {
                start = end;
                return new BareNewline("CR");
            }
        }
        return null;
    }

    private void dropLine(boolean complete, int to) {
        if (complete) {
            start = to;
        } else {
            keepTrailingCr();
            skipping = true;
        }
    }

    /** Drops all buffered octets but a final CR, whose LF may come with the next read (the CRLF rule needs both). */
    private void keepTrailingCr() {
        start = end > start && buf[end - 1] == '\r' ? end - 1 : end;
    }

    /**
     * Drops the rest of a bad line (too long, NUL) up to its CRLF. The dropped octets obey the same CRLF rule as every
     * other line (RFC 5321 §2.3.8, §4.1.1.4): a bare LF or CR in them is fatal, never the end of the line, or whatever
     * follows it (a smuggled "MAIL FROM") would be read as the next command. Returns that event, else null; still
     * {@code skipping} when the CRLF has not come yet.
     */
    private Event skip() {
        int lf = indexOf((byte) '\n', start, end);
        int to = lf < 0 ? end : lf + 1;
        Event bare = bareNewline(start, to);
        if (bare != null) {
            skipping = false;
            return bare;
        }
        if (lf < 0) {
            keepTrailingCr();
        } else {
            start = lf + 1;
            skipping = false;
        }
        return null;
    }

    private Event nextData() {
        ByteArrayOutputStream out = null;
        while (true) {
            if (skipping) { // only entered with nothing collected: a bad line is reported before any line after it is read
                Event bad = skip();
                if (bad != null || skipping) {
                    return bad;
                }
            }
            int lf = indexOf((byte) '\n', start, end);
            int limit = lf < 0 ? end : lf + 1;
            if (out != null && (lf < 0 || hasProblem(start, limit))) {
                return content(out); // hand over the good lines first; the problem comes as the next event
            }
            Event bad = checkLine(start, limit, lf >= 0);
            if (bad != null) {
                return bad;
            }
            if (lf < 0) {
                return null;
            }
            int length = lf + 1 - start;
            if (length == 3 && buf[start] == '.') {
                start = lf + 1;
                if (out != null) {
                    start -= 3; // deliver the content now, the end on the next call
                    return content(out);
                }
                mode = Mode.COMMAND;
                return new EndOfData();
            }
            if (out == null) {
                out = new ByteArrayOutputStream(Math.max(256, end - start));
            }
            int from = buf[start] == '.' ? start + 1 : start; // RFC 5321 §4.5.2 transparency
            out.write(buf, from, lf + 1 - from);
            start = lf + 1;
        }
    }

    private boolean hasProblem(int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b == 0 || (b == '\n' && (i == from || buf[i - 1] != '\r')) || (b == '\r' && i + 1 < end && buf[i + 1] != '\n')) {
                return true;
            }
        }
        return to - from > MAX_LINE;
    }

    private static Event content(ByteArrayOutputStream out) {
        return out == null ? null : new Content(out.toByteArray());
    }

    private Event nextChunk() {
        if (chunkLeft == 0) {
            mode = Mode.COMMAND;
            return new ChunkEnd();
        }
        int available = (int) Math.min(chunkLeft, end - start);
        if (available == 0) {
            return null;
        }
        byte[] bytes = Arrays.copyOfRange(buf, start, start + available);
        start += available;
        chunkLeft -= available;
        return new Content(bytes);
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
