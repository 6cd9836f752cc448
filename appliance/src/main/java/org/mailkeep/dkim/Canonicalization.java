package org.mailkeep.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The two DKIM canonicalization algorithms of RFC 6376 §3.4, for header fields and for the body. Pure
 * functions over bytes; the body side is a streaming {@link BodyHasher} so a message of any size is hashed
 * in constant memory.
 */
public enum Canonicalization {
    SIMPLE, RELAXED;

    public static Canonicalization parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw new IllegalArgumentException("unknown canonicalization " + text);
        };
    }

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The canonical form of one header field, without a trailing CRLF (RFC 6376 §3.4.1, §3.4.2). */
    public byte[] header(HeaderField field) {
        if (this == SIMPLE) {
            return field.raw();
        }
        String text = new String(field.raw(), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        String name = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        // §3.4.2: unfold, reduce WSP runs to one SP, delete WSP at the end of the value and around the colon
        String value = text.substring(colon + 1).replace("\r\n", "").replace("\n", "")
                .replaceAll("[ \t]+", " ").strip();
        return (name + ":" + value).getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh body hasher for this algorithm; {@code limit} is the l= tag or -1 for the whole body. */
    public BodyHasher bodyHasher(MessageDigest digest, long limit) {
        return new BodyHasher(this, digest, limit);
    }

    /**
     * Feeds body lines (without line ends) through the body canonicalization (RFC 6376 §3.4.3, §3.4.4) into
     * a digest. Trailing empty lines are held back as a count and only emitted when a non-empty line follows,
     * which is how "ignore all empty lines at the end" is done without buffering.
     */
    public static final class BodyHasher {
        private static final byte[] CRLF = {'\r', '\n'};
        private final Canonicalization c;
        private final MessageDigest digest;
        private final long limit;
        private long hashed;
        private long pendingEmptyLines;
        private boolean anyContent;

        BodyHasher(Canonicalization c, MessageDigest digest, long limit) {
            this.c = c;
            this.digest = digest;
            this.limit = limit;
        }

        public void line(byte[] line) {
            byte[] canonical = c == RELAXED ? relaxLine(line) : line;
            if (canonical.length == 0) {
                pendingEmptyLines++;
                return;
            }
            for (; pendingEmptyLines > 0; pendingEmptyLines--) {
                update(CRLF);
            }
            update(canonical);
            update(CRLF);
            anyContent = true;
        }

        /** The body hash. An empty body is CRLF for simple and nothing for relaxed (§3.4.3, §3.4.4). */
        public byte[] finish() {
            if (!anyContent && c == SIMPLE) {
                update(CRLF);
            }
            return digest.digest();
        }

        private void update(byte[] bytes) {
            int n = bytes.length;
            if (limit >= 0) {
                n = (int) Math.min(n, limit - hashed);
            }
            if (n > 0) {
                digest.update(bytes, 0, n);
                hashed += n;
            }
        }

        private static byte[] relaxLine(byte[] line) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(line.length);
            boolean inWsp = false;
            for (byte b : line) {
                if (b == ' ' || b == '\t') {
                    inWsp = true;
                    continue;
                }
                if (inWsp) {
                    out.write(' ');
                    inWsp = false;
                }
                out.write(b);
            }
            return out.toByteArray(); // trailing WSP dropped
        }
    }
}
