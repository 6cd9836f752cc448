package org.mailkeep.imap;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.jboss.logging.Logger;
import org.mailkeep.imap.ImapStore.MessageRow;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4) with ESEARCH (RFC 4731) and CONDSTORE's MODSEQ key (RFC 7162 §3.1.5). */
final class Search extends SessionPart {

    private static final Logger LOG = Logger.getLogger(Search.class);

    Search(ImapSession session) {
        super(session);
    }

    // ---- SEARCH (RFC 3501 §6.4.4, RFC 4731 ESEARCH) ----

    void search(Command.Search search) {
        String tag = search.tag();
        if (search.charset() != null && !search.charset().equals("UTF-8") && !search.charset().equals("US-ASCII")) {
            sendTagged(tag, "NO", "[BADCHARSET (UTF-8 US-ASCII)] unsupported charset");
            return;
        }
        boolean usesModSeq = mentions(search.key(), k -> k instanceof Command.ModSeq);
        boolean usesEnvelope = mentions(search.key(), k -> k instanceof Command.Header h && Matcher.envelopeField(h) >= 0);
        if (usesModSeq) {
            session.condstore = true;
        }
        List<Long> matches = new ArrayList<>();
        long highestMatchModSeq = 0;
        SelectedState s = session.selected;
        List<Object> args = new ArrayList<>();
        String condition = SearchSql.condition(search.key(), args);
        if (condition != null && s.count > 0) { // flag keys: SQLite returns the matches only
            long[] highest = {0};
            services.store().matching(s.row.id(), s.uid(1), s.uid(s.count), condition, args, (uid, modSeq) -> {
                int seq = s.seq(uid);
                if (seq > 0) {
                    matches.add(search.uid() ? uid : seq);
                    highest[0] = Math.max(highest[0], modSeq);
                }
            });
            highestMatchModSeq = highest[0];
        }
        List<Object> prefilterArgs = new ArrayList<>();
        String prefilter = condition == null ? SearchSql.subjectPrefilter(search.key(), prefilterArgs) : null;
        for (int from = 1; condition == null && from <= s.count; from += ImapSession.BATCH * 4) {
            int to = Math.min(s.count, from + ImapSession.BATCH * 4 - 1);
            List<MessageRow> rows = prefilter != null ? services.store().messages(s.row.id(), s.uid(from), s.uid(to), prefilter, prefilterArgs)
                    : services.store().messages(s.row.id(), s.uid(from), s.uid(to), usesEnvelope);
            for (MessageRow row : rows) {
                int seq = s.seq(row.uid());
                if (seq > 0 && new Matcher(row, seq).matches(search.key())) {
                    matches.add(search.uid() ? row.uid() : seq);
                    highestMatchModSeq = Math.max(highestMatchModSeq, row.modSeq());
                }
            }
        }
        if (search.esearch() || session.rev2) {
            StringBuilder line = new StringBuilder("* ESEARCH (TAG ");
            ImapEncoding.string(line, tag, false);
            line.append(')');
            if (search.uid()) {
                line.append(" UID");
            }
            List<String> options = search.returnOptions().isEmpty() ? List.of("ALL") : search.returnOptions();
            if (!matches.isEmpty()) {
                if (options.contains("MIN")) {
                    line.append(" MIN ").append(matches.get(0));
                }
                if (options.contains("MAX")) {
                    line.append(" MAX ").append(matches.get(matches.size() - 1));
                }
                if (options.contains("ALL")) {
                    line.append(" ALL ").append(SequenceSet.format(matches));
                }
            }
            if (options.contains("COUNT")) {
                line.append(" COUNT ").append(matches.size());
            }
            if (usesModSeq && !matches.isEmpty()) {
                line.append(" MODSEQ ").append(highestMatchModSeq);
            }
            send(line.append("\r\n").toString());
        } else {
            StringBuilder line = new StringBuilder("* SEARCH");
            for (long n : matches) {
                line.append(' ').append(n);
                if (line.length() > 4096) {
                    send(line.toString());
                    line.setLength(0);
                }
            }
            if (usesModSeq && !matches.isEmpty()) {
                line.append(" (MODSEQ ").append(highestMatchModSeq).append(')');
            }
            send(line.append("\r\n").toString());
        }
        session.refresh(search.uid());
        ok(tag, (search.uid() ? "UID " : "") + "SEARCH completed");
    }

    /** Whether a search key or any key inside it satisfies {@code test}. */
    private static boolean mentions(Command.SearchKey key, java.util.function.Predicate<Command.SearchKey> test) {
        if (test.test(key)) {
            return true;
        }
        if (key instanceof Command.And and) {
            return and.keys().stream().anyMatch(k -> mentions(k, test));
        }
        if (key instanceof Command.Or or) {
            return mentions(or.left(), test) || mentions(or.right(), test);
        }
        return key instanceof Command.Not not && mentions(not.key(), test);
    }

    /** day month year of an RFC 5322 §3.3 date-time (obs-year of two digits too), whatever precedes or follows it. */
    private static final Pattern DATE = Pattern.compile("(\\d{1,2})\\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\s+(\\d{2,4})\\b",
            Pattern.CASE_INSENSITIVE);
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");

    /**
     * The date a Date: header gives, as written there: RFC 3501 §6.4.4 compares SENT* keys "disregarding time and
     * timezone", so 23:30 -0800 on the 5th is the 5th (not the 6th in UTC). Null when the field has no date.
     */
    static LocalDate sentDate(String field) {
        java.util.regex.Matcher m = DATE.matcher(field);
        if (!m.find()) {
            return null;
        }
        int year = Integer.parseInt(m.group(3));
        if (m.group(3).length() < 4) {
            year += year < 50 ? 2000 : 1900; // RFC 5322 §4.3 obs-year
        }
        try {
            return LocalDate.of(year, MONTHS.indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1, Integer.parseInt(m.group(1)));
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** Evaluates a search key against one message; reads its header or text only when a key needs them. */
    private final class Matcher {
        private final MessageRow row;
        private final int seq;
        private MimeStructure.Part structure;
        private MimeStructure.Part header;
        private List<Object> envelope;
        private String text;

        Matcher(MessageRow row, int seq) {
            this.row = row;
            this.seq = seq;
        }

        boolean matches(Command.SearchKey key) {
            if (key instanceof Command.And and) {
                return and.keys().stream().allMatch(this::matches);
            } else if (key instanceof Command.Or or) {
                return matches(or.left()) || matches(or.right());
            } else if (key instanceof Command.Not not) {
                return !matches(not.key());
            } else if (key instanceof Command.Constant c) {
                return c.value();
            } else if (key instanceof Command.FlagKey f && f.flag().equals("\\Recent")) {
                return session.selected.recent(row.uid()) == f.set();
            } else if (key instanceof Command.FlagKey f) {
                return ImapStore.parseFlags(row.flags()).stream().anyMatch(x -> x.equalsIgnoreCase(f.flag())) == f.set();
            } else if (key instanceof Command.Seq q) {
                return q.uid() ? q.set().contains(row.uid(), session.selected.uid(session.selected.count)) : q.set().contains(seq, session.selected.count);
            } else if (key instanceof Command.Size z) {
                return z.larger() ? row.size() > z.size() : row.size() < z.size();
            } else if (key instanceof Command.ModSeq m) {
                return row.modSeq() >= m.modSeq();
            } else if (key instanceof Command.DateKey d) {
                return compareDate(d);
            } else if (key instanceof Command.Header h) {
                return header(h);
            }
            return text((Command.Text) key);
        }

        private boolean compareDate(Command.DateKey d) {
            LocalDate date;
            if (d.sent()) {
                String value = header().field("Date");
                if (value == null) {
                    return false;
                }
                date = sentDate(value);
                if (date == null) {
                    return false;
                }
            } else {
                date = java.time.Instant.ofEpochMilli(row.internalDate()).atZone(ZoneId.systemDefault()).toLocalDate();
            }
            int c = date.compareTo(d.date());
            return d.comparison() < 0 ? c < 0 : d.comparison() == 0 ? c == 0 : c >= 0;
        }

        /**
         * The ENVELOPE element a key searches, or -1. RFC 3501 §6.4.4 defines BCC, CC, FROM, SUBJECT and TO on the
         * envelope structure's fields: those come from the structure cache, so they read no message file.
         */
        static int envelopeField(Command.Header h) {
            if (h.value().isEmpty()) {
                return -1; // "has this field at all" is a question for the header itself
            }
            return switch (h.field()) {
                case "SUBJECT" -> 1;
                case "FROM" -> 2;
                case "TO" -> 5;
                case "CC" -> 6;
                case "BCC" -> 7;
                default -> -1;
            };
        }

        /** An envelope element as searchable text: a decoded subject, or addresses as "name <mailbox@host>". */
        private String envelopeText(int index) {
            if (envelope == null) {
                envelope = ImapEncoding.parseList(row.envelope() != null ? row.envelope() : MimeStructure.envelope(header()));
            }
            Object element = envelope.get(index);
            if (element == null) {
                return "";
            }
            if (element instanceof String subject) {
                return DecoderUtil.decodeEncodedWords(subject, DecodeMonitor.SILENT);
            }
            StringBuilder text = new StringBuilder();
            for (Object address : (List<?>) element) {
                List<?> parts = (List<?>) address;
                if (parts.get(0) != null) {
                    text.append(DecoderUtil.decodeEncodedWords((String) parts.get(0), DecodeMonitor.SILENT)).append(' ');
                }
                if (parts.get(2) != null) {
                    text.append('<').append(parts.get(2)).append(parts.get(3) != null ? "@" + parts.get(3) : "").append("> ");
                }
            }
            return text.toString();
        }

        private boolean header(Command.Header h) {
            String needle = h.value().toLowerCase(Locale.ROOT);
            int index = envelopeField(h);
            if (index >= 0) {
                return envelopeText(index).toLowerCase(Locale.ROOT).contains(needle);
            }
            for (String[] field : MimeStructure.fields(header().header)) {
                if (field[0].equalsIgnoreCase(h.field())) {
                    if (needle.isEmpty()) {
                        return true;
                    }
                    String value = DecoderUtil.decodeEncodedWords(field[1], DecodeMonitor.SILENT);
                    if (value.toLowerCase(Locale.ROOT).contains(needle)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean text(Command.Text t) {
            String needle = t.value().toLowerCase(Locale.ROOT);
            if (t.includeHeader()) {
                for (String[] field : MimeStructure.fields(header().header)) {
                    if (DecoderUtil.decodeEncodedWords(field[1], DecodeMonitor.SILENT).toLowerCase(Locale.ROOT).contains(needle)) {
                        return true;
                    }
                }
            }
            return bodyText().contains(needle);
        }

        /** The top header only: header keys never read the body. */
        private MimeStructure.Part header() {
            if (structure != null) {
                return structure;
            }
            if (header == null) {
                try {
                    header = MessageParts.parseHeader(services.store().file(row.file()));
                } catch (IOException e) {
                    header = new MimeStructure.Part();
                }
            }
            return header;
        }

        private MimeStructure.Part structure() {
            if (structure == null) {
                try {
                    structure = MessageParts.parse(services.store().file(row.file()));
                } catch (IOException e) {
                    structure = new MimeStructure.Part();
                }
            }
            return structure;
        }

        /** The decoded text of the message's text parts, lower-cased, at most ImapSession.MAX_SEARCH_TEXT bytes read. */
        private String bodyText() {
            if (text == null) {
                StringBuilder all = new StringBuilder();
                Path file = services.store().file(row.file());
                collectText(structure(), file, all, new long[] {ImapSession.MAX_SEARCH_TEXT});
                text = all.toString().toLowerCase(Locale.ROOT);
            }
            return text;
        }

        private void collectText(MimeStructure.Part part, Path file, StringBuilder all, long[] budget) {
            if (budget[0] <= 0) {
                return;
            }
            if (part.isMultipart() && !part.children.isEmpty()) {
                part.children.forEach(child -> collectText(child, file, all, budget));
                return;
            }
            if (part.isMessage() && part.message != null) {
                for (String[] field : MimeStructure.fields(part.message.header)) {
                    all.append(DecoderUtil.decodeEncodedWords(field[1], DecodeMonitor.SILENT)).append('\n');
                }
                collectText(part.message, file, all, budget);
                return;
            }
            if (!part.type.equals("text") && part.headerStart != 0) {
                return;
            }
            long length = Math.min(budget[0], part.end - part.bodyStart);
            budget[0] -= length;
            Charset charset;
            try {
                charset = Charset.forName(part.params.getOrDefault("charset", "us-ascii"));
            } catch (RuntimeException e) {
                charset = StandardCharsets.ISO_8859_1;
            }
            try (InputStream raw = new MessageParts.LimitedInputStream(new BufferedInputStream(Channels.newInputStream(MessageParts.open(file, part.bodyStart))), length);
                 InputStream in = MessageParts.decoding(raw, MessageParts.transferEncoding(part))) {
                all.append(new String(in.readAllBytes(), charset)).append('\n');
            } catch (IOException e) {
                LOG.debugf("cannot read %s for SEARCH: %s", row.file(), e.getMessage());
            }
        }
    }
}
