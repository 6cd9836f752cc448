package org.mailkeep.imap;

import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reading a stored message: its MIME structure, and a part's content with its transfer encoding undone. */
final class MessageParts {

    private MessageParts() {
    }

    static MimeStructure.Part parse(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            return MimeStructure.parse(in);
        }
    }

    static MimeStructure.Part parseHeader(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 16384)) {
            return MimeStructure.parseHeader(in);
        }
    }
    /** The transfer encodings of RFC 2045 §6.1 that BINARY can undo; an x-token (e.g. x-uuencode) it cannot. */
    private static final Set<String> KNOWN_ENCODINGS = Set.of("7bit", "8bit", "binary", "base64", "quoted-printable");

    static String transferEncoding(MimeStructure.Part part) {
        return Optional.ofNullable(part.field("Content-Transfer-Encoding")).orElse("7bit").trim().toLowerCase(Locale.ROOT);
    }

    /** Whether BINARY can answer for this part: a missing part or a multipart is NIL, a leaf needs a known encoding. */
    static boolean decodable(MimeStructure.Part part) {
        return part == null || part.isMultipart() || KNOWN_ENCODINGS.contains(transferEncoding(part));
    }

    /** The content of a part with its transfer encoding undone (the identity for 7bit, 8bit, binary and unknown ones). */
    static InputStream decoding(InputStream raw, String encoding) {
        return switch (encoding) {
            case "base64" -> new Base64InputStream(raw, DecodeMonitor.SILENT);
            case "quoted-printable" -> new QuotedPrintableInputStream(raw, DecodeMonitor.SILENT);
            default -> raw;
        };
    }

    static FileChannel open(Path file, long position) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(position);
        return channel;
    }

    /** At most {@code remaining} bytes of a stream. */
    static final class LimitedInputStream extends java.io.FilterInputStream {
        private long remaining;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }

    /**
     * Largest top-level header block (in chars) the cache keeps: a FETCH batch of {@code ImapSession.BATCH} rows then
     * holds at most 2 MiB of headers; messages with a larger header answer BODY[HEADER.FIELDS] from their file.
     */
    static final int MAX_CACHED_HEADER = 8192;

    /** What the structure cache keeps of a parsed message: {ENVELOPE, BODYSTRUCTURE, BODY, header block or null}. */
    static String[] describe(MimeStructure.Part structure) {
        return new String[] {MimeStructure.envelope(structure), MimeStructure.bodyStructure(structure, true),
                MimeStructure.bodyStructure(structure, false), cacheableHeader(structure)};
    }

    /** The header block of a parsed message as the cache keeps it (the text BODY[HEADER.FIELDS] selects from), or null if too large. */
    static String cacheableHeader(MimeStructure.Part structure) {
        return structure.header.length() <= MAX_CACHED_HEADER ? structure.header : null;
    }
}
