package org.mailkeep.policy;

import org.mailkeep.store.DataDirectory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Removes top-level header fields from a spooled message file, streaming: fields are read one at a time (a field
 * longer than {@link #MAX_FIELD} is removed as malformed when its name is one we filter, and copied through
 * otherwise), the body is copied byte for byte. The result replaces the file atomically (temp file, fsync, rename),
 * so a crash leaves either the old or the new message, never half of one.
 */
public final class HeaderFilter {

    static final int MAX_FIELD = 64 * 1024;

    private HeaderFilter() {
    }

    /**
     * @param names lower-case field names that may be dropped
     * @param drop  decides for one field of those names, given its unfolded "value" text
     * @return how many fields were removed (0: the file was not touched)
     */
    public static int strip(Path message, Predicate<String> names, java.util.function.BiPredicate<String, String> drop) throws IOException {
        if (filter(message, null, names, drop) == 0) {
            return 0;
        }
        Path tmp = message.resolveSibling(message.getFileName() + ".filter");
        int removed;
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024)) {
            removed = filter(message, out, names, drop);
            out.flush();
            channel.force(true);
        }
        Files.move(tmp, message, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DataDirectory.fsyncDirectory(message.getParent());
        return removed;
    }

    /** One pass; with {@code out} null it only counts. */
    private static int filter(Path message, OutputStream out, Predicate<String> names, java.util.function.BiPredicate<String, String> drop)
            throws IOException {
        int removed = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(message), 64 * 1024)) {
            ByteArrayOutputStream field = null; // the field being buffered, when its name is filtered
            boolean oversized = false;
            String name = null;
            while (true) {
                byte[] line = readLine(in);
                boolean continuation = line != null && line.length > 0 && (line[0] == ' ' || line[0] == '\t');
                if (field != null && !continuation) {
                    String text = field.toString(StandardCharsets.ISO_8859_1);
                    String value = text.substring(text.indexOf(':') + 1).replaceAll("\r?\n", "").trim();
                    if (oversized || drop.test(name, value)) {
                        removed++;
                    } else if (out != null) {
                        field.writeTo(out);
                    }
                    field = null;
                    oversized = false;
                }
                if (line == null) {
                    return removed;
                }
                boolean endOfHeader = line.length == 0 || (line.length <= 2 && (line[0] == '\r' || line[0] == '\n'));
                if (endOfHeader) {
                    if (out != null) {
                        out.write(line);
                        in.transferTo(out);
                    }
                    return removed;
                }
                if (continuation && field != null) {
                    if (field.size() + line.length > MAX_FIELD) {
                        oversized = true;
                    } else {
                        field.write(line);
                    }
                    continue;
                }
                if (!continuation) {
                    String text = new String(line, StandardCharsets.ISO_8859_1);
                    int colon = text.indexOf(':');
                    String n = colon > 0 ? text.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
                    if (names.test(n)) {
                        name = n;
                        field = new ByteArrayOutputStream();
                        field.write(line, 0, Math.min(line.length, MAX_FIELD));
                        oversized = line.length > MAX_FIELD;
                        continue;
                    }
                }
                if (out != null) {
                    out.write(line);
                }
            }
        }
    }

    /** A line including its line end; null at the end of the stream. Long lines come back in pieces of at most 64 KiB. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n' || line.size() >= MAX_FIELD) {
                break;
            }
        }
        return line.size() == 0 && b == -1 ? null : line.toByteArray();
    }
}
