package org.mailkeep.attachments;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.dom.field.ParsedField;
import org.apache.james.mime4j.field.DefaultFieldParser;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Finds attachments the policy refuses, streaming (mime4j's pull parser for the MIME tree, java.util.zip for archives,
 * nothing held whole in memory): blocked file name extensions, Windows executables under any name ("MZ" header),
 * macro-enabled Office documents (by extension, or an OOXML package holding a vbaProject.bin), and all of these inside
 * zip archives and attached messages. Archives nested deeper than {@code maxDepth}, expanding beyond
 * {@code maxExpandedBytes} or holding more than {@code maxEntries} entries in total are refused as zip bombs;
 * encrypted archive entries, which cannot be inspected, are refused too.
 */
public final class AttachmentInspector {

    /** Why a message is refused: {@code path} names the attachment (and archive entries, separated by " > "). */
    public record Finding(String path, String reason) {
    }

    private static final class Budget {
        long expanded;
        int entries;
    }

    private static final class Refused extends Exception {
        final Finding finding;

        Refused(String path, String reason) {
            super(reason, null, false, false);
            this.finding = new Finding(path, reason);
        }
    }

    private final Set<String> blocked;
    private final int maxDepth;
    private final long maxExpanded;
    private final int maxEntries;

    public AttachmentInspector(Set<String> blockedExtensions, int maxDepth, long maxExpandedBytes, int maxEntries) {
        this.blocked = blockedExtensions.stream().map(e -> e.trim().toLowerCase(Locale.ROOT)).filter(e -> !e.isEmpty()).collect(java.util.stream.Collectors.toSet());
        this.maxDepth = maxDepth;
        this.maxExpanded = maxExpandedBytes;
        this.maxEntries = maxEntries;
    }

    /** Inspects a whole message (RFC 5322 with MIME); empty when nothing is refused. */
    public Optional<Finding> inspect(InputStream message) throws IOException {
        MimeTokenStream stream = new MimeTokenStream(new MimeConfig.Builder().setMaxHeaderCount(1000).setMaxHeaderLen(64 * 1024)
                .setMaxLineLen(-1).setMaxContentLen(-1).build(), DecodeMonitor.SILENT, null);
        stream.setRecursionMode(RecursionMode.M_RECURSE); // attached messages (message/rfc822) are parsed as well
        Budget budget = new Budget();
        String filename = null;
        int part = 0;
        try {
            stream.parse(message);
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                switch (state) {
                    case T_START_HEADER -> filename = null;
                    case T_FIELD -> filename = filename(stream.getField()).orElse(filename);
                    case T_BODY -> {
                        part++;
                        String name = filename != null ? filename : "part " + part + " (" + stream.getBodyDescriptor().getMimeType() + ")";
                        inspectContent(name, filename, stream.getDecodedInputStream(), 1, budget);
                    }
                    default -> {
                    }
                }
            }
        } catch (Refused r) {
            return Optional.of(r.finding);
        } catch (MimeException e) {
            return Optional.of(new Finding("message", "MIME structure cannot be parsed: " + e.getMessage()));
        }
        return Optional.empty();
    }

    /** Checks one piece of content: its name, its first bytes, and if it is a zip archive, each entry in turn. */
    private void inspectContent(String path, String name, InputStream content, int depth, Budget budget) throws Refused, IOException {
        if (name != null) {
            checkName(path, name);
        }
        BufferedInputStream in = new BufferedInputStream(content, 8192);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && magic[0] == 'M' && magic[1] == 'Z') {
            throw new Refused(path, "Windows executable content");
        }
        boolean zip = magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        if (zip) {
            if (depth > maxDepth) {
                throw new Refused(path, "archives nested more than " + maxDepth + " deep");
            }
            inspectZip(path, in, depth, budget);
        }
    }

    private void inspectZip(String path, InputStream in, int depth, Budget budget) throws Refused, IOException {
        ZipInputStream zip = new ZipInputStream(in);
        try {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (++budget.entries > maxEntries) {
                    throw new Refused(path, "archives hold more than " + maxEntries + " entries");
                }
                String entryPath = path + " > " + entry.getName();
                String base = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (base.equalsIgnoreCase("vbaProject.bin")) {
                    throw new Refused(path, "Office document with macros");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                CountingStream content = new CountingStream(zip, budget, entryPath);
                inspectContent(entryPath, base, content, depth + 1, budget);
                content.transferTo(java.io.OutputStream.nullOutputStream()); // the rest of the entry still counts towards the expanded size
            }
        } catch (ZipException e) {
            if (e.getMessage() != null && e.getMessage().contains("encrypted")) {
                throw new Refused(path, "encrypted archive (cannot be inspected)");
            }
            throw new Refused(path, "damaged archive: " + e.getMessage());
        } catch (Bomb b) {
            throw new Refused(b.path, "archive expands beyond " + maxExpanded + " bytes (zip bomb)");
        }
    }

    private void checkName(String path, String name) throws Refused {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).trim().toLowerCase(Locale.ROOT);
        if (blocked.contains(ext)) {
            throw new Refused(path, "file type ." + ext + " is not accepted");
        }
    }

    /** The file name of a body part: Content-Disposition filename (RFC 2183, RFC 2231), else Content-Type name. */
    private static Optional<String> filename(Field field) {
        String n = field.getName().toLowerCase(Locale.ROOT);
        if (!n.equals("content-disposition") && !n.equals("content-type")) {
            return Optional.empty();
        }
        ParsedField parsed = DefaultFieldParser.getParser().parse(field, DecodeMonitor.SILENT);
        String value = null;
        if (parsed instanceof ContentDispositionField cd) {
            value = cd.getFilename();
        } else if (parsed instanceof ContentTypeField ct) {
            value = ct.getParameter("name");
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT));
    }

    /** Thrown (unchecked, through java.util.zip) when the expanded bytes exceed the budget. */
    private static final class Bomb extends IOException {
        final String path;

        Bomb(String path) {
            super("expanded size limit", null);
            this.path = path;
        }
    }

    /** Counts expanded bytes of archive entries against the budget. */
    private final class CountingStream extends java.io.FilterInputStream {
        private final Budget budget;
        private final String path;

        CountingStream(InputStream in, Budget budget, String path) {
            super(in);
            this.budget = budget;
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public void close() {
            // the zip stream stays open for the next entry
        }

        private void count(int n) throws Bomb {
            budget.expanded += n;
            if (budget.expanded > maxExpanded) {
                throw new Bomb(path);
            }
        }
    }
}
