package org.mailkeep.imap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** SQL conditions that let SQLite answer (or narrow) a SEARCH before any row is matched in Java ({@link Search}). */
final class SearchSql {

    private SearchSql() {
    }

    /**
     * The SQL condition on {@code mailbox_messages mm} equivalent to a search key made only of flag keys (RFC 3501
     * §6.4.4: SEEN, UNSEEN, DELETED, KEYWORD, ...), MODSEQ (RFC 7162 §3.1.5), ALL and their AND/OR/NOT, with its
     * parameters appended to {@code args}; null when the key needs anything else (the session then matches rows in
     * Java). So SEARCH UNSEEN is one indexed query that returns only the matches, not a walk over every row.
     */
    static String condition(Command.SearchKey key, List<Object> args) {
        if (key instanceof Command.FlagKey f) {
            if (f.flag().equals("\\Recent")) {
                return null; // \Recent is the session's, not stored (SelectedState)
            }
            if (!f.flag().chars().allMatch(ch -> ch > ' ' && ch < 127)) {
                return null; // SQLite's lower() folds ASCII only; Java's equalsIgnoreCase more
            }
            // the flags column holds the flags separated by single spaces (parseFlags/String.join)
            args.add(" " + f.flag().toLowerCase(Locale.ROOT) + " ");
            return "instr(' ' || lower(mm.flags) || ' ', ?) " + (f.set() ? "> 0" : "= 0");
        } else if (key instanceof Command.Constant c) {
            return c.value() ? "1" : "0";
        } else if (key instanceof Command.ModSeq m) {
            args.add(m.modSeq());
            return "mm.modseq >= ?";
        } else if (key instanceof Command.Not not) {
            String inner = condition(not.key(), args);
            return inner == null ? null : "NOT (" + inner + ")";
        } else if (key instanceof Command.Or or) {
            String left = condition(or.left(), args);
            String right = left == null ? null : condition(or.right(), args);
            return right == null ? null : "(" + left + ") OR (" + right + ")";
        } else if (key instanceof Command.And and) {
            List<String> parts = new ArrayList<>();
            for (Command.SearchKey k : and.keys()) {
                String part = condition(k, args);
                if (part == null) {
                    return null;
                }
                parts.add("(" + part + ")");
            }
            return parts.isEmpty() ? "1" : String.join(" AND ", parts);
        }
        return null;
    }

    /**
     * A condition every message whose envelope subject contains the text of a SUBJECT key that the search key requires
     * (RFC 3501 §6.4.4: case-insensitive substring) satisfies, with its parameters appended to {@code args}; or null.
     * It narrows the rows SEARCH SUBJECT matches in Java to the candidates: the cached envelope contains the text
     * (SQLite's LIKE folds ASCII case), or it may decode to it (an RFC 2047 encoded word, non-ASCII text), or it is not
     * cached yet. Only for printable ASCII text without the characters the envelope escapes (quote and backslash).
     */
    static String subjectPrefilter(Command.SearchKey key, List<Object> args) {
        List<Command.SearchKey> required = key instanceof Command.And and ? and.keys() : List.of(key);
        for (Command.SearchKey k : required) {
            if (k instanceof Command.Header h && h.field().equals("SUBJECT") && !h.value().isEmpty()
                    && h.value().chars().allMatch(ch -> ch >= ' ' && ch < 127 && ch != '"' && ch != '\\')) {
                args.add("%" + h.value().replace("%", "\\%").replace("_", "\\_") + "%");
                // non-ASCII: more characters in bytes than in text (cheaper than a GLOB character class: 20 vs 100 ms)
                return "c.envelope IS NULL OR c.envelope LIKE ? ESCAPE '\\' OR instr(c.envelope, '=?') > 0 "
                        + "OR length(c.envelope) <> length(CAST(c.envelope AS BLOB))";
            }
        }
        return null;
    }
}
