package org.mailkeep.imap;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Splits the bytes a client sends into command lines and literal data (RFC 3501 §4.3, RFC 7888). Pure: it
 * is fed bytes and returns events; the session decides where literal data goes (memory, or a spool file for
 * APPEND) and answers the continuation request. A line longer than {@code maxLine} is reported once and the
 * rest of it skipped, so no client can make the server buffer an unbounded line.
 */
public final class CommandFramer {

    /** What the framer found. */
    public sealed interface Event {
    }

    /**
     * A line without its CRLF. When it ends with a literal announcement {@code {n}} or {@code {n+}}, the
     * announcement is stripped from {@code bytes} and given as {@code literalSize} (else -1).
     */
    public record Line(byte[] bytes, long literalSize, boolean nonSynchronizing) implements Event {
    }

    /** A piece of the literal being read; {@code last} on its final piece. */
    public record LiteralData(byte[] bytes, int offset, int length, boolean last) implements Event {
    }

    /** A line exceeded the limit; its start (for the tag) is given, the rest up to CRLF is discarded. */
    public record LineTooLong(byte[] start) implements Event {
    }

    private final int maxLine;
    private byte[] input = new byte[0];
    private int pos;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean skippingLine;
    private long literalRemaining = -1;

    public CommandFramer(int maxLine) {
        this.maxLine = maxLine;
    }

    /** Adds received bytes (the framer keeps a reference; do not reuse the array). */
    public void feed(byte[] bytes) {
        if (pos < input.length) {
            byte[] joined = Arrays.copyOfRange(input, pos, input.length + bytes.length);
            System.arraycopy(bytes, 0, joined, input.length - pos, bytes.length);
            input = joined;
        } else {
            input = bytes;
        }
        pos = 0;
    }

    /** Drops everything buffered (after STARTTLS, cleartext sent ahead must not be taken as protected input). */
    public void discard() {
        input = new byte[0];
        pos = 0;
        line.reset();
        skippingLine = false;
        literalRemaining = -1;
    }

    /** After a {@link Line} announcing a literal the session accepts, the next events are its data. */
    public void acceptLiteral(long size) {
        literalRemaining = size;
    }

    /** The next event, or null when more input is needed. */
    public Event next() {
        if (literalRemaining >= 0) {
            if (literalRemaining == 0) {
                literalRemaining = -1;
                return new LiteralData(new byte[0], 0, 0, true);
            }
            if (pos >= input.length) {
                return null;
            }
            int n = (int) Math.min(literalRemaining, input.length - pos);
            int offset = pos;
            pos += n;
            literalRemaining -= n;
            boolean last = literalRemaining == 0;
            if (last) {
                literalRemaining = -1;
            }
            return new LiteralData(input, offset, n, last);
        }
        while (pos < input.length) {
            byte b = input[pos++];
            if (b == '\n') {
                if (skippingLine) {
                    skippingLine = false;
                    line.reset();
                    continue;
                }
                byte[] bytes = line.toByteArray();
                line.reset();
                int end = bytes.length;
                if (end > 0 && bytes[end - 1] == '\r') {
                    end--;
                }
                return announcement(Arrays.copyOf(bytes, end));
            }
            if (skippingLine) {
                continue;
            }
            line.write(b);
            if (line.size() > maxLine) {
                skippingLine = true;
                byte[] start = Arrays.copyOf(line.toByteArray(), Math.min(line.size(), 64));
                line.reset();
                return new LineTooLong(start);
            }
        }
        return null;
    }

    private static Line announcement(byte[] bytes) {
        int n = bytes.length;
        if (n < 3 || bytes[n - 1] != '}') {
            return new Line(bytes, -1, false);
        }
        int close = n - 1;
        boolean plus = bytes[close - 1] == '+';
        int digitsEnd = plus ? close - 1 : close;
        int open = digitsEnd - 1;
        while (open >= 0 && bytes[open] >= '0' && bytes[open] <= '9') {
            open--;
        }
        if (open < 0 || bytes[open] != '{' || open == digitsEnd - 1 || digitsEnd - open - 1 > 18) {
            return new Line(bytes, -1, false);
        }
        long size = Long.parseLong(new String(bytes, open + 1, digitsEnd - open - 1, java.nio.charset.StandardCharsets.US_ASCII));
        // RFC 9051 §4.3: literal8 is "~{n}"; the "~" belongs to the announcement too
        int cut = open > 0 && bytes[open - 1] == '~' ? open - 1 : open;
        return new Line(Arrays.copyOf(bytes, cut), size, plus);
    }
}
