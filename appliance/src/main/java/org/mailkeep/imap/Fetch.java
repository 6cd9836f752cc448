package org.mailkeep.imap;

import org.mailkeep.imap.Command.FetchAtt;
import org.mailkeep.imap.ImapStore.MessageRow;
import org.mailkeep.store.StoreException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5) with BINARY (RFC 3516) and CONDSTORE/QRESYNC (RFC 7162 §3.1.4, §3.2.6). */
final class Fetch extends SessionPart {

    /** Set by a FETCH that met a BINARY section it cannot decode: the FETCH then ends in NO [UNKNOWN-CTE]. */
    private boolean unknownCte;

    Fetch(ImapSession session) {
        super(session);
    }

    // ---- FETCH ----

    void fetch(Command.Fetch fetch) {
        String tag = fetch.tag();
        unknownCte = false;
        if (!fetch.uid() && !session.selected.validSeqSet(fetch.set())) {
            sendTagged(tag, "BAD", "invalid message sequence number");
            return;
        }
        if (fetch.vanished() && !session.qresync) {
            sendTagged(tag, "BAD", "VANISHED needs QRESYNC enabled");
            return;
        }
        if (fetch.changedSince() >= 0) {
            session.condstore = true;
        }
        if (fetch.vanished()) {
            long[] expunged = services.store().expungedSince(session.selected.row.id(), fetch.changedSince());
            List<Long> report = new ArrayList<>();
            for (long uid : expunged) {
                if (fetch.set().contains(uid, Math.max(uid, session.selected.uidNext - 1))) {
                    report.add(uid);
                }
            }
            if (!report.isEmpty()) {
                send("* VANISHED (EARLIER) " + SequenceSet.format(report) + "\r\n");
            }
        }
        List<FetchAtt> items = new ArrayList<>(fetch.items());
        if (fetch.uid() && !items.contains(new Command.Att("UID"))) {
            items.add(0, new Command.Att("UID"));
        }
        if ((fetch.changedSince() >= 0 || items.contains(new Command.Att("MODSEQ"))) && !items.contains(new Command.Att("MODSEQ"))) {
            items.add(new Command.Att("MODSEQ"));
        }
        if (items.contains(new Command.Att("MODSEQ"))) {
            session.condstore = true;
        }
        boolean cached = items.stream().anyMatch(i -> i instanceof Command.Att a
                && (a.name().equals("ENVELOPE") || a.name().equals("BODYSTRUCTURE") || a.name().equals("BODY")));
        boolean header = items.stream().anyMatch(i -> i instanceof Command.Section sec && headerFieldsOfMessage(sec));
        cached |= header;
        boolean setsSeen = !session.selected.readOnly && items.stream().anyMatch(i -> (i instanceof Command.Section sec && !sec.peek())
                || (i instanceof Command.Att a && (a.name().equals("RFC822") || a.name().equals("RFC822.TEXT"))));
        int[] seqs = session.selected.resolve(fetch.set(), fetch.uid());
        boolean rowItems = !setsSeen && items.stream().allMatch(i -> i instanceof Command.Att a && ROW_ITEMS.contains(a.name()));
        new Run(fetch, items, seqs, rowItems, cached, header, setsSeen).run();
    }

    /**
     * The messages one FETCH names, answered batch by batch. While the client has output waiting to be read, the run
     * stops at the next message and goes on when the client has read it ({@link ImapSession#continueWith}): a client that
     * does not read holds no thread and makes the server keep no more than one message's answer.
     */
    private final class Run implements Runnable {
        private final Command.Fetch fetch;
        private final List<FetchAtt> items;
        private final int[] seqs;
        private final boolean rowItems;
        private final boolean cached;
        private final boolean header;
        private final boolean setsSeen;
        /** Messages whose \\Seen this FETCH set (their FLAGS are sent along, RFC 3501 §6.4.5). */
        private final Set<Long> seenNow = new HashSet<>();
        /** Index in seqs of the next message to answer. */
        private int next;

        Run(Command.Fetch fetch, List<FetchAtt> items, int[] seqs, boolean rowItems, boolean cached, boolean header, boolean setsSeen) {
            this.fetch = fetch;
            this.items = items;
            this.seqs = seqs;
            this.rowItems = rowItems;
            this.cached = cached;
            this.header = header;
            this.setsSeen = setsSeen;
        }

        @Override
        public void run() {
            while (next < seqs.length) {
                if (session.backlogged()) {
                    session.continueWith(this);
                    return;
                }
                next = rowItems ? fetchRowItems(seqs, next, items, fetch.changedSince()) : batch();
            }
            session.refresh(fetch.uid());
            if (unknownCte) { // RFC 3516: a section whose transfer encoding the server cannot decode fails the FETCH
                sendTagged(fetch.tag(), "NO", "[UNKNOWN-CTE] cannot decode the Content-Transfer-Encoding of a requested part");
                return;
            }
            ok(fetch.tag(), (fetch.uid() ? "UID " : "") + "FETCH completed");
        }

        /** Answers messages from {@code next} on, up to a batch; returns the index of the first one not answered. */
        private int batch() {
            int to = Math.min(seqs.length, next + ImapSession.BATCH);
            long[] uids = new long[to - next];
            for (int i = next; i < to; i++) {
                uids[i - next] = session.selected.uid(seqs[i]);
            }
            List<MessageRow> rows = rows(uids, cached, header);
            if (setsSeen) {
                long[] unseen = rows.stream().filter(r -> !ImapStore.parseFlags(r.flags()).contains("\\Seen")).mapToLong(MessageRow::uid).toArray();
                if (unseen.length > 0) {
                    ImapStore.StoreResult result = services.store().store(session.selected.row.id(), unseen, '+', List.of("\\Seen"), -1);
                    result.changed().forEach(c -> {
                        seenNow.add(c.uid());
                        session.selected.ownModSeqs.add(c.modSeq());
                    });
                    rows = rows(uids, cached, header);
                }
            }
            List<Object[]> newCache = new ArrayList<>();
            int answered = to;
            for (MessageRow row : rows) {
                if (session.backlogged()) { // the rest of the batch when the client has read
                    answered = next;
                    while (answered < to && session.selected.uid(seqs[answered]) < row.uid()) {
                        answered++;
                    }
                    break;
                }
                if (fetch.changedSince() >= 0 && row.modSeq() <= fetch.changedSince()) {
                    continue;
                }
                int seq = session.selected.seq(row.uid());
                if (seq > 0) {
                    fetchOne(seq, row, items, seenNow.contains(row.uid()), header, newCache);
                }
            }
            services.store().cache(newCache);
            return answered;
        }
    }

    /**
     * FETCH of items the message row alone answers (UID, FLAGS, MODSEQ, INTERNALDATE, RFC822.SIZE; Thunderbird's
     * UID FETCH 1:* (FLAGS) at every start): {@code ImapSession.BATCH * 4} messages from index {@code from} of {@code seqs}
     * in one query, their responses built straight from the result set into one buffer (about 40 bytes a message) and
     * sent; returns the index after them.
     */
    private int fetchRowItems(int[] seqs, int from, List<FetchAtt> items, long changedSince) {
        String[] names = items.stream().map(i -> ((Command.Att) i).name()).toArray(String[]::new);
        boolean size = Arrays.asList(names).contains("RFC822.SIZE");
        StringBuilder out = new StringBuilder();
        int to = Math.min(seqs.length, from + ImapSession.BATCH * 4);
        long[] uids = new long[to - from];
        for (int i = from; i < to; i++) {
            uids[i - from] = session.selected.uid(seqs[i]);
        }
        services.store().rowItems(session.selected.row.id(), uids, size, changedSince, (uid, flags, modSeq, internalDate, octets) -> {
            int seq = session.selected.seq(uid);
            if (seq <= 0) {
                return;
            }
            out.append("* ").append(seq).append(" FETCH (");
            for (int i = 0; i < names.length; i++) {
                if (i > 0) {
                    out.append(' ');
                }
                switch (names[i]) {
                    case "UID" -> out.append("UID ").append(uid);
                    case "FLAGS" -> out.append("FLAGS (").append(session.selected.flags(uid, flags)).append(')');
                    case "INTERNALDATE" -> out.append("INTERNALDATE ").append(ImapEncoding.dateTime(internalDate));
                    case "RFC822.SIZE" -> out.append("RFC822.SIZE ").append(octets);
                    default -> out.append("MODSEQ (").append(modSeq).append(')');
                }
            }
            out.append(")\r\n");
        });
        send(out.toString());
        return to;
    }

    /** Message rows for the given ascending UIDs (with the cached header block too when {@code header}). */
    private List<MessageRow> rows(long[] uids, boolean cached, boolean header) {
        if (uids.length == 0) {
            return List.of();
        }
        if (uids[uids.length - 1] - uids[0] >= 2L * uids.length) { // sparse: fetch exactly these rows, not the whole range
            return services.store().messages(session.selected.row.id(), uids, cached, header);
        }
        List<MessageRow> rows = header ? services.store().messagesWithHeader(session.selected.row.id(), uids[0], uids[uids.length - 1])
                : services.store().messages(session.selected.row.id(), uids[0], uids[uids.length - 1], cached);
        if (rows.size() == uids.length) {
            return rows;
        }
        Set<Long> wanted = new HashSet<>();
        for (long uid : uids) {
            wanted.add(uid);
        }
        return rows.stream().filter(r -> wanted.contains(r.uid())).toList();
    }

    /**
     * One message's FETCH response. {@code header}: the row carries the cached header block (null when not cached yet,
     * then it is cached from this FETCH's parse).
     */
    private void fetchOne(int seq, MessageRow row, List<FetchAtt> items, boolean seenChanged, boolean header, List<Object[]> newCache) {
        StringBuilder line = new StringBuilder("* ").append(seq).append(" FETCH (");
        boolean first = true;
        boolean flagsSent = false;
        MimeStructure.Part structure = null;
        String[] cache = row.envelope() == null ? null : new String[] {row.envelope(), row.bodyStructure(), row.body(), row.header()};
        boolean cacheChanged = false;
        // most FETCHes (FLAGS of the whole mailbox, cached envelopes) are answered from the row: no file path at all
        boolean fromRow = items.stream().allMatch(i -> i instanceof Command.Att a
                && (ROW_ITEMS.contains(a.name()) || (row.envelope() != null && CACHED_ITEMS.contains(a.name()))));
        Path file = fromRow ? null : services.store().file(row.file());
        try {
            if (items.stream().anyMatch(i -> i instanceof Command.Section sec && sec.kind().startsWith("BINARY"))) {
                structure = MessageParts.parse(file);
                for (FetchAtt item : items) { // checked before any of this message's answer is sent
                    if (item instanceof Command.Section sec && sec.kind().startsWith("BINARY")
                            && !MessageParts.decodable(MimeStructure.resolve(structure, sec.part()))) {
                        unknownCte = true;
                        return;
                    }
                }
            }
            for (FetchAtt item : items) {
                if (!first) {
                    line.append(' ');
                }
                first = false;
                if (item instanceof Command.Att att) {
                    switch (att.name()) {
                        case "UID" -> line.append("UID ").append(row.uid());
                        case "FLAGS" -> {
                            line.append("FLAGS (").append(session.selected.flags(row.uid(), row.flags())).append(')');
                            flagsSent = true;
                        }
                        case "INTERNALDATE" -> line.append("INTERNALDATE ").append(ImapEncoding.dateTime(row.internalDate()));
                        case "RFC822.SIZE" -> line.append("RFC822.SIZE ").append(row.size());
                        case "MODSEQ" -> line.append("MODSEQ (").append(row.modSeq()).append(')');
                        case "ENVELOPE", "BODYSTRUCTURE", "BODY" -> {
                            if (cache == null) {
                                structure = structure == null ? MessageParts.parse(file) : structure;
                                cache = MessageParts.describe(structure);
                                cacheChanged = true;
                            }
                            line.append(att.name()).append(' ').append(att.name().equals("ENVELOPE") ? cache[0]
                                    : att.name().equals("BODYSTRUCTURE") ? cache[1] : cache[2]);
                        }
                        case "RFC822" -> {
                            line.append("RFC822 ");
                            sendRegion(line, file, 0, row.size());
                        }
                        case "RFC822.HEADER", "RFC822.TEXT" -> {
                            structure = structure == null ? MessageParts.parse(file) : structure;
                            line.append(att.name()).append(' ');
                            if (att.name().equals("RFC822.HEADER")) {
                                sendRegion(line, file, structure.headerStart, structure.bodyStart);
                            } else {
                                sendRegion(line, file, structure.bodyStart, structure.end);
                            }
                        }
                        default -> throw new IllegalStateException(att.name());
                    }
                } else {
                    Command.Section section = (Command.Section) item;
                    if (header && headerFieldsOfMessage(section) && cache != null && cache[3] != null) {
                        section(line, file, cachedHeader(cache[3]), section); // the cached header block: no file read
                        continue;
                    }
                    if (header && headerFieldsOfMessage(section) && cache == null) {
                        structure = structure == null ? MessageParts.parse(file) : structure; // parsed once, for all the cache keeps
                        cache = MessageParts.describe(structure);
                        cacheChanged = true;
                    }
                    if (structure == null && section.part().length == 0 && section.text().isEmpty() && section.kind().equals("BODY")) {
                        section(line, file, wholeMessage(row.size()), section); // BODY[]: the file as it is, nothing to parse
                        continue;
                    }
                    if (structure == null) {
                        structure = headerOnly(section) ? MessageParts.parseHeader(file) : MessageParts.parse(file);
                    }
                    if (header && headerFieldsOfMessage(section) && cache[3] == null && MessageParts.cacheableHeader(structure) != null) {
                        cache[3] = MessageParts.cacheableHeader(structure);
                        cacheChanged = true;
                    }
                    section(line, file, structure, section);
                }
            }
        } catch (NoSuchFileException e) {
            return; // expunged by another session meanwhile: nothing to show (RFC 3501 §7.4.1 allows omitting it)
        } catch (IOException e) {
            throw new StoreException("cannot read message " + row.file() + ": " + e.getMessage(), e);
        }
        if (seenChanged && !flagsSent) {
            line.append(" FLAGS (").append(session.selected.flags(row.uid(), row.flags())).append(')');
        }
        line.append(")\r\n");
        send(line.toString());
        if (cacheChanged) {
            newCache.add(new Object[] {row.messageId(), cache[0], cache[1], cache[2], cache[3]});
        }
    }

    /** BODY[HEADER.FIELDS (...)] or BODY[HEADER.FIELDS.NOT (...)] of the message itself: answered from the cached header block. */
    private static boolean headerFieldsOfMessage(Command.Section section) {
        return section.part().length == 0 && section.text().startsWith("HEADER.FIELDS") && section.kind().startsWith("BODY");
    }

    /** A message reduced to its extent, all that section() reads for BODY[] (RFC 3501 §6.4.5: the whole message). */
    private static MimeStructure.Part wholeMessage(long size) {
        MimeStructure.Part part = new MimeStructure.Part();
        part.end = size;
        return part;
    }

    /** A message reduced to its cached header block: all that section() reads for HEADER.FIELDS of the message. */
    private static MimeStructure.Part cachedHeader(String header) {
        MimeStructure.Part part = new MimeStructure.Part();
        part.header = header;
        return part;
    }

    private static final Set<String> ROW_ITEMS = Set.of("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "MODSEQ");
    private static final Set<String> CACHED_ITEMS = Set.of("ENVELOPE", "BODYSTRUCTURE", "BODY");

    private static boolean headerOnly(Command.Section section) {
        return section.part().length == 0 && section.text().startsWith("HEADER");
    }


    /** BODY[...] / BINARY[...] (RFC 3501 §6.4.5, RFC 3516). */
    private void section(StringBuilder line, Path file, MimeStructure.Part root, Command.Section section) throws IOException {
        StringBuilder name = new StringBuilder(section.kind()).append('[');
        for (int i = 0; i < section.part().length; i++) {
            name.append(i > 0 ? "." : "").append(section.part()[i]);
        }
        if (!section.text().isEmpty()) {
            name.append(section.part().length > 0 ? "." : "").append(section.text());
            if (!section.fields().isEmpty()) {
                name.append(" (").append(String.join(" ", section.fields())).append(')');
            }
        }
        name.append(']');
        MimeStructure.Part part = MimeStructure.resolve(root, section.part());
        if (section.kind().startsWith("BINARY")) {
            binary(line, name.toString(), file, part, section);
            return;
        }
        if (section.partialStart() >= 0) {
            name.append('<').append(section.partialStart()).append('>');
        }
        line.append(name).append(' ');
        if (part == null) {
            line.append("\"\"");
            return;
        }
        MimeStructure.Part message = section.part().length == 0 ? root : part.message;
        switch (section.text()) {
            case "" -> {
                if (section.part().length == 0) {
                    partial(line, file, root.headerStart, root.end, section);
                } else {
                    partial(line, file, part.bodyStart, part.end, section);
                }
            }
            case "MIME" -> partial(line, file, part.headerStart, part.bodyStart, section);
            case "HEADER" -> {
                if (message == null) {
                    line.append("\"\"");
                } else {
                    partial(line, file, message.headerStart, message.bodyStart, section);
                }
            }
            case "TEXT" -> {
                if (message == null) {
                    line.append("\"\"");
                } else {
                    partial(line, file, message.bodyStart, message.end, section);
                }
            }
            default -> { // HEADER.FIELDS and HEADER.FIELDS.NOT
                if (message == null) {
                    line.append("\"\"");
                    return;
                }
                byte[] selectedFields = headerFields(message.header, section.fields(), section.text().endsWith(".NOT"));
                long start = Math.max(0, section.partialStart());
                long end = section.partialLength() >= 0 ? Math.min(selectedFields.length, start + section.partialLength()) : selectedFields.length;
                int from = (int) Math.min(start, selectedFields.length);
                int length = (int) Math.max(0, end - from);
                line.append('{').append(length).append("}\r\n");
                send(line.toString());
                line.setLength(0);
                sendBytes(selectedFields, from, length);
            }
        }
    }

    /** The raw lines of the named header fields (or all others), followed by the blank line (RFC 3501 §6.4.5). */
    static byte[] headerFields(String header, List<String> names, boolean not) {
        StringBuilder out = new StringBuilder();
        boolean keep = false;
        for (String raw : header.split("(?<=\n)")) {
            if (raw.isEmpty()) {
                continue;
            }
            if (raw.charAt(0) != ' ' && raw.charAt(0) != '\t') {
                int colon = raw.indexOf(':');
                String field = colon > 0 ? raw.substring(0, colon).trim().toUpperCase(Locale.ROOT) : "";
                keep = names.contains(field) != not;
            }
            if (keep) {
                out.append(raw);
                if (!raw.endsWith("\n")) {
                    out.append("\r\n");
                }
            }
        }
        out.append("\r\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void partial(StringBuilder line, Path file, long from, long to, Command.Section section) throws IOException {
        long start = from;
        long end = to;
        if (section.partialStart() >= 0) {
            start = Math.min(to, from + section.partialStart());
            end = Math.min(to, start + section.partialLength());
        }
        sendRegion(line, file, start, end);
    }

    /** Sends {@code line} then bytes [from, to) of the file as a literal, read from the file as the client reads it. */
    private void sendRegion(StringBuilder line, Path file, long from, long to) throws IOException {
        long length = Math.max(0, to - from);
        line.append('{').append(length).append("}\r\n");
        send(line.toString());
        line.setLength(0);
        session.sendFile(file, from, to);
    }

    /** BINARY[part] / BINARY.SIZE[part]: the part's content with its transfer encoding undone (RFC 3516 §4). */
    private void binary(StringBuilder line, String name, Path file, MimeStructure.Part part, Command.Section section) throws IOException {
        boolean whole = section.part().length == 0; // BINARY[]: the whole message, its body decoded (RFC 3516 §4.2)
        if (part == null || (part.isMultipart() && !whole)) {
            line.append(name).append(" NIL");
            return;
        }
        Path decoded = Files.createTempFile(file.getParent(), "binary", ".tmp");
        try {
            try (OutputStream target = Files.newOutputStream(decoded)) {
                if (whole) {
                    copy(file, part.headerStart, part.bodyStart, "7bit", target);
                }
                copy(file, part.bodyStart, part.end, part.isMultipart() ? "7bit" : MessageParts.transferEncoding(part), target);
            }
            long size = Files.size(decoded);
            if (section.kind().equals("BINARY.SIZE")) {
                line.append(name).append(' ').append(size);
                return;
            }
            long start = section.partialStart() >= 0 ? Math.min(size, section.partialStart()) : 0;
            long end = section.partialStart() >= 0 ? Math.min(size, start + section.partialLength()) : size;
            line.append(name).append(section.partialStart() >= 0 ? "<" + section.partialStart() + ">" : "").append(" ~");
            sendRegion(line, decoded, start, end);
        } finally {
            Files.deleteIfExists(decoded);
        }
    }

    /** Bytes [from, to) of a file into {@code target}, with the transfer encoding undone. */
    private static void copy(Path file, long from, long to, String encoding, OutputStream target) throws IOException {
        try (InputStream raw = new BufferedInputStream(Channels.newInputStream(MessageParts.open(file, from)));
             InputStream in = MessageParts.decoding(new MessageParts.LimitedInputStream(raw, to - from), encoding)) {
            in.transferTo(target);
        }
    }
}
