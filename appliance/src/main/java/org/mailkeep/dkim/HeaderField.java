package org.mailkeep.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One header field exactly as it appears in the message (RFC 5322 §2.2), folding included, without its
 * final CRLF. {@link #readHeader} reads the header section of a message and leaves the stream at the body,
 * so the body can then be streamed (hashed or sent) without being held in memory.
 */
public record HeaderField(String name, byte[] raw) {

    /** Largest header section accepted; RFC 5322 has no limit, but a header larger than this is an attack, not mail. */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    /** The field's name in lower case, for comparisons (field names are case-insensitive, RFC 5322 §1.2.2). */
    public String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The unfolded value after the colon (RFC 5322 §2.2.3), decoded as UTF-8 (RFC 6532). */
    public String value() {
        String text = new String(raw, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        return text.substring(colon + 1).replaceAll("\r?\n(?=[ \t])", "").trim();
    }

    public static HeaderField of(String text) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        return new HeaderField(text.substring(0, text.indexOf(':')).trim(), raw);
    }

    /**
     * Reads header fields up to the empty line that ends the header section (consumed). Bare LF line ends are
     * accepted and stored as CRLF. A line without a colon that does not continue a field ends the header
     * section as if an empty line had been there: that line stays in the stream as the first body line
     * (what Postfix's cleanup does), so nothing is lost. {@code in} must support mark/reset.
     */
    public static List<HeaderField> readHeader(InputStream in) throws IOException {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("readHeader needs a stream with mark/reset (BufferedInputStream)");
        }
        List<HeaderField> fields = new ArrayList<>();
        ByteArrayOutputStream current = null;
        int total = 0;
        while (true) {
            in.mark(MAX_HEADER_BYTES);
            byte[] line = readLine(in);
            if (line == null) {
                break;
            }
            total += line.length + 2;
            if (total > MAX_HEADER_BYTES) {
                throw new IOException("header section larger than " + MAX_HEADER_BYTES + " bytes");
            }
            if (line.length == 0) {
                break;
            }
            if ((line[0] == ' ' || line[0] == '\t') && current != null) {
                current.write('\r');
                current.write('\n');
                current.write(line);
                continue;
            }
            if (current != null) {
                fields.add(toField(current.toByteArray()));
                current = null;
            }
            if (indexOfColon(line) <= 0) {
                in.reset(); // not a header field: it starts the body (see javadoc)
                break;
            }
            current = new ByteArrayOutputStream();
            current.write(line);
        }
        if (current != null) {
            fields.add(toField(current.toByteArray()));
        }
        return fields;
    }

    private static HeaderField toField(byte[] raw) {
        String name = new String(raw, 0, indexOfColon(raw), StandardCharsets.US_ASCII).trim();
        return new HeaderField(name, raw);
    }

    private static int indexOfColon(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == ':') {
                return i;
            }
            if (line[i] <= ' ' && line[i] != ' ' && line[i] != '\t') {
                return -1;
            }
        }
        return -1;
    }

    /** One line without its line end (CRLF or bare LF); null at end of stream. */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length;
                if (len > 0 && bytes[len - 1] == '\r') {
                    return java.util.Arrays.copyOf(bytes, len - 1);
                }
                return bytes;
            }
            line.write(b);
        }
        return any ? line.toByteArray() : null;
    }
}
