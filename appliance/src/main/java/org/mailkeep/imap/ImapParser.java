package org.mailkeep.imap;

import org.mailkeep.imap.Command.Literal;
import org.mailkeep.imap.Command.SearchKey;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The IMAP command grammar (RFC 3501 §9, RFC 9051 §9 and the extensions we announce), hand-written as a
 * recursive-descent parser because no maintained Java library parses IMAP commands on the server side.
 * Pure: a command's parts (its lines, and the literals between them) in, a {@link Command} out, or a
 * {@link ParseException} carrying the tag (when one could be read) for the BAD answer.
 */
public final class ImapParser extends ImapReader {

    /** Deepest parenthesis nesting accepted in SEARCH and FETCH (deeper input is refused, not recursed into). */
    public static final int MAX_DEPTH = 16;

    /** Why a command was refused; {@code tag} is null when not even a tag could be read (untagged BAD). */
    public static final class ParseException extends Exception {
        private final String tag;

        public ParseException(String tag, String message) {
            super(message);
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    static final DateTimeFormatter DATE_TIME = new java.time.format.DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("d-MMM-yyyy HH:mm:ss Z").toFormatter(Locale.ENGLISH);
    private ImapParser(List<Object> parts, boolean utf8Names) {
        super(parts, utf8Names);
    }

    /**
     * Parses one command: {@code parts} alternate line bytes (byte[]) and {@link Literal}s, starting and ending with a
     * line. Mailbox names are modified UTF-7 (RFC 3501 §5.1.3) unless {@code utf8Names} (UTF8=ACCEPT, IMAP4rev2).
     */
    public static Command parse(List<Object> parts, boolean utf8Names) throws ParseException {
        return new ImapParser(parts, utf8Names).command();
    }

    /** An IMAP4rev1 command (mailbox names in modified UTF-7). */
    public static Command parse(List<Object> parts) throws ParseException {
        return parse(parts, false);
    }

    /** Convenience for commands without literals. */
    public static Command parse(String line) throws ParseException {
        return parse(List.of(line.getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads just the tag of a line (for answering a line that could not be taken in, e.g. too long). */
    public static String tagOf(byte[] start) {
        int i = 0;
        while (i < start.length && isAtomChar(start[i]) && start[i] != '+') {
            i++;
        }
        return i > 0 && (i == start.length || start[i] == ' ') ? new String(start, 0, i, StandardCharsets.US_ASCII) : null;
    }

    /** Commands whose arguments may contain a string, so a literal may follow their first line. */
    private static final java.util.Set<String> LITERAL_COMMANDS = java.util.Set.of("LOGIN", "AUTHENTICATE", "SELECT", "EXAMINE", "CREATE",
            "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTAROOT", "GETQUOTA", "SETQUOTA", "RENAME", "LIST", "LSUB", "STATUS", "APPEND",
            "ID", "FETCH", "STORE", "COPY", "MOVE", "SEARCH");

    /**
     * Whether a literal announced at the end of a command's first line can belong to it: not in place of the tag or the
     * command name, and not after a command that takes no strings (NOOP {5}). The session refuses a synchronizing literal
     * that cannot, before the client sends it (RFC 3501 §7.5: the BAD instead of the continuation request).
     */
    public static boolean literalAllowed(byte[] firstLine) {
        String[] words = new String(firstLine, StandardCharsets.US_ASCII).split(" ", -1);
        int name = words.length > 1 && words[1].equalsIgnoreCase("UID") ? 2 : 1;
        return words.length > name + 1 && tagOf(firstLine) != null && LITERAL_COMMANDS.contains(words[name].toUpperCase(Locale.ROOT));
    }

    private Command command() throws ParseException {
        String t = atomWhere(c -> isAtomChar(c) && c != '+');
        if (t.isEmpty()) {
            throw new ParseException(null, "missing tag");
        }
        tag = t;
        sp();
        String name = atom().toUpperCase(Locale.ROOT);
        boolean uid = false;
        if (name.equals("UID")) {
            uid = true;
            sp();
            name = atom().toUpperCase(Locale.ROOT);
        }
        Command command = switch (name) {
            case "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "UNSELECT", "IDLE", "NAMESPACE" -> simple(uid, name);
            case "EXPUNGE" -> uid ? new Command.UidExpunge(tag, spThen(this::sequenceSet)) : new Command.Simple(tag, name);
            case "LOGIN" -> {
                noUid(uid);
                sp();
                String user = astring();
                sp();
                yield new Command.Login(tag, user, astring());
            }
            case "AUTHENTICATE" -> {
                noUid(uid);
                sp();
                String mechanism = atom().toUpperCase(Locale.ROOT);
                String initial = null;
                if (peek() == ' ') {
                    sp();
                    initial = atomWhere(c -> c > ' ' && c < 127);
                }
                yield new Command.Authenticate(tag, mechanism, initial);
            }
            case "SELECT", "EXAMINE" -> select(uid, name.equals("EXAMINE"));
            case "CREATE" -> create(uid);
            case "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTAROOT" -> {
                noUid(uid);
                sp();
                yield new Command.MailboxCommand(tag, name, existingMailbox());
            }
            case "GETQUOTA" -> {
                noUid(uid);
                sp();
                yield new Command.MailboxCommand(tag, name, astring());
            }
            case "SETQUOTA" -> {
                noUid(uid);
                sp();
                String root = astring();
                sp();
                list(0);
                yield new Command.MailboxCommand(tag, name, root);
            }
            case "RENAME" -> {
                noUid(uid);
                sp();
                String from = existingMailbox();
                sp();
                yield new Command.Rename(tag, from, mailbox());
            }
            case "LIST", "LSUB" -> list(uid, name.equals("LSUB"));
            case "STATUS" -> {
                noUid(uid);
                sp();
                String mailbox = existingMailbox();
                sp();
                yield new Command.Status(tag, mailbox, statusItems());
            }
            case "APPEND" -> append(uid);
            case "ENABLE" -> {
                noUid(uid);
                List<String> caps = new ArrayList<>();
                while (peek() == ' ') {
                    sp();
                    caps.add(atom().toUpperCase(Locale.ROOT));
                }
                if (caps.isEmpty()) {
                    throw bad("ENABLE needs at least one capability");
                }
                yield new Command.Enable(tag, caps);
            }
            case "ID" -> id(uid);
            case "FETCH" -> fetch(uid);
            case "STORE" -> store(uid);
            case "COPY", "MOVE" -> {
                sp();
                SequenceSet set = sequenceSet();
                sp();
                yield new Command.Copy(tag, uid, name.equals("MOVE"), set, existingMailbox());
            }
            case "SEARCH" -> search(uid);
            default -> throw bad("unknown command " + name);
        };
        if (!atEnd()) {
            throw bad("unexpected characters after " + name);
        }
        return command;
    }

    private Command simple(boolean uid, String name) throws ParseException {
        noUid(uid);
        return new Command.Simple(tag, name);
    }

    /** CREATE with RFC 4466 create-params: only USE (RFC 6154 §3, CREATE-SPECIAL-USE) is known. */
    private Command create(boolean uid) throws ParseException {
        noUid(uid);
        sp();
        String mailbox = mailbox();
        List<String> use = List.of();
        if (peek() == ' ') {
            sp();
            expect('(');
            if (!atom().equalsIgnoreCase("USE")) {
                throw bad("unknown CREATE parameter (only USE is supported)");
            }
            sp();
            use = flagList();
            expect(')');
        }
        return new Command.Create(tag, mailbox, use);
    }

    /** STATUS data items (RFC 3501 §6.3.10, RFC 9051 §6.3.11, CONDSTORE, APPENDLIMIT, QUOTA); anything else is BAD. */
    private List<String> statusItems() throws ParseException {
        List<String> items = upper(atomList());
        if (items.isEmpty()) {
            throw bad("STATUS needs at least one data item");
        }
        for (String item : items) {
            if (!STATUS_ITEMS.contains(item)) {
                throw bad("unknown STATUS item " + item);
            }
        }
        return items;
    }

    static final List<String> STATUS_ITEMS = List.of("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE",
            "HIGHESTMODSEQ", "APPENDLIMIT", "DELETED-STORAGE");

    private void noUid(boolean uid) throws ParseException {
        if (uid) {
            throw bad("this command has no UID form");
        }
    }

    private Command select(boolean uid, boolean readOnly) throws ParseException {
        noUid(uid);
        sp();
        String mailbox = existingMailbox();
        boolean condstore = false;
        Command.Qresync qresync = null;
        if (peek() == ' ') {
            sp();
            expect('(');
            while (peek() != ')') {
                String param = atom().toUpperCase(Locale.ROOT);
                if (param.equals("CONDSTORE")) {
                    condstore = true;
                } else if (param.equals("QRESYNC")) {
                    sp();
                    expect('(');
                    long uidValidity = number();
                    sp();
                    long modSeq = number();
                    SequenceSet known = null;
                    if (peek() == ' ') {
                        sp();
                        known = sequenceSet();
                        if (peek() == ' ') {
                            sp(); // seq-match-data: an optimisation for the server; we answer exactly without it
                            list(0);
                        }
                    }
                    expect(')');
                    qresync = new Command.Qresync(uidValidity, modSeq, known);
                } else {
                    throw bad("unknown SELECT parameter " + param);
                }
                if (peek() == ' ') {
                    sp();
                }
            }
            expect(')');
        }
        return new Command.Select(tag, mailbox, readOnly, condstore, qresync);
    }

    private Command list(boolean uid, boolean lsub) throws ParseException {
        noUid(uid);
        sp();
        List<String> selectOptions = new ArrayList<>();
        if (!lsub && peek() == '(') {
            selectOptions = upper(atomList());
            for (String option : selectOptions) {
                if (!List.of("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE").contains(option)) {
                    throw bad("unknown LIST selection option " + option); // RFC 5258 §3: MUST be rejected
                }
            }
            if (selectOptions.contains("RECURSIVEMATCH") && !selectOptions.contains("SUBSCRIBED") && !selectOptions.contains("SPECIAL-USE")) {
                throw bad("RECURSIVEMATCH needs another selection option (RFC 5258 §3)");
            }
            sp();
        }
        String reference = mailboxName(nameOrAsSent(astringOrEmpty()));
        sp();
        List<String> patterns = new ArrayList<>();
        if (!lsub && peek() == '(') {
            expect('(');
            patterns.add(nameOrAsSent(listMailbox()));
            while (peek() == ' ') {
                sp();
                patterns.add(nameOrAsSent(listMailbox()));
            }
            expect(')');
        } else {
            patterns.add(nameOrAsSent(listMailbox()));
        }
        List<String> returnOptions = new ArrayList<>();
        List<String> statusItems = new ArrayList<>();
        if (!lsub && peek() == ' ') {
            sp();
            if (!atom().equalsIgnoreCase("RETURN")) {
                throw bad("expected RETURN");
            }
            sp();
            expect('(');
            while (peek() != ')') {
                String option = atom().toUpperCase(Locale.ROOT);
                if (!List.of("SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS").contains(option)) {
                    throw bad("unknown LIST return option " + option); // RFC 5258 §3: MUST be rejected
                }
                returnOptions.add(option);
                if (option.equals("STATUS")) {
                    sp();
                    statusItems = statusItems();
                }
                if (peek() == ' ') {
                    sp();
                }
            }
            expect(')');
        }
        return new Command.ListCommand(tag, lsub, selectOptions, reference, patterns, returnOptions, statusItems);
    }

    private Command append(boolean uid) throws ParseException {
        noUid(uid);
        sp();
        String mailbox = existingMailbox();
        sp();
        List<String> flags = List.of();
        if (peek() == '(') {
            flags = flagList();
            sp();
        }
        ZonedDateTime date = null;
        if (peek() == '"') {
            String text = quoted();
            try {
                date = ZonedDateTime.parse(text.trim(), DATE_TIME);
            } catch (DateTimeParseException e) {
                throw bad("invalid date-time " + text);
            }
            sp();
        }
        boolean utf8 = false;
        if (peek() == 'U' || peek() == 'u') { // RFC 6855 §4: UTF8 (literal8); the framer took the "~{n}"
            if (!atom().equalsIgnoreCase("UTF8")) {
                throw bad("expected UTF8 or a literal");
            }
            sp();
            expect('(');
            utf8 = true;
        }
        Literal message = literal();
        if (message == null) {
            throw bad("APPEND needs the message as a literal");
        }
        if (utf8) {
            expect(')');
        }
        return new Command.Append(tag, mailbox, flags, date, message);
    }

    private Command id(boolean uid) throws ParseException {
        noUid(uid);
        sp();
        Map<String, String> parameters = new LinkedHashMap<>();
        if (peek() == '(') {
            expect('(');
            while (peek() != ')') {
                String key = string();
                sp();
                parameters.put(key, nstring());
                if (peek() == ' ') {
                    sp();
                }
            }
            expect(')');
        } else {
            nil();
        }
        return new Command.Id(tag, parameters);
    }

    private Command fetch(boolean uid) throws ParseException {
        sp();
        SequenceSet set = sequenceSet();
        sp();
        List<Command.FetchAtt> items = new ArrayList<>();
        if (peek() == '(') {
            expect('(');
            items.add(fetchAtt());
            while (peek() == ' ') {
                sp();
                items.add(fetchAtt());
            }
            expect(')');
        } else {
            String macro = peekAtom().toUpperCase(Locale.ROOT);
            switch (macro) {
                case "ALL" -> {
                    atom();
                    items.addAll(atts("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"));
                }
                case "FAST" -> {
                    atom();
                    items.addAll(atts("FLAGS", "INTERNALDATE", "RFC822.SIZE"));
                }
                case "FULL" -> {
                    atom();
                    items.addAll(atts("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"));
                }
                default -> items.add(fetchAtt());
            }
        }
        long changedSince = -1;
        boolean vanished = false;
        if (peek() == ' ') {
            sp();
            expect('(');
            while (peek() != ')') {
                String modifier = atom().toUpperCase(Locale.ROOT);
                if (modifier.equals("CHANGEDSINCE")) {
                    sp();
                    changedSince = number();
                } else if (modifier.equals("VANISHED") && uid) {
                    vanished = true;
                } else {
                    throw bad("unknown FETCH modifier " + modifier);
                }
                if (peek() == ' ') {
                    sp();
                }
            }
            expect(')');
            if (vanished && changedSince < 0) {
                throw bad("VANISHED needs CHANGEDSINCE (RFC 7162 §3.2.6)");
            }
        }
        return new Command.Fetch(tag, uid, set, items, changedSince, vanished);
    }

    private static List<Command.FetchAtt> atts(String... names) {
        List<Command.FetchAtt> out = new ArrayList<>();
        for (String n : names) {
            out.add(new Command.Att(n));
        }
        return out;
    }

    private Command.FetchAtt fetchAtt() throws ParseException {
        String name = atomWhere(c -> isAtomChar(c) && c != '[').toUpperCase(Locale.ROOT);
        switch (name) {
            case "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "UID", "MODSEQ", "RFC822", "RFC822.HEADER",
                    "RFC822.TEXT" -> {
                return new Command.Att(name);
            }
            case "BODY" -> {
                if (peek() != '[') {
                    return new Command.Att(name);
                }
                return section("BODY", false);
            }
            case "BODY.PEEK" -> {
                return section("BODY", true);
            }
            case "BINARY", "BINARY.PEEK", "BINARY.SIZE" -> {
                return section(name.equals("BINARY.SIZE") ? "BINARY.SIZE" : "BINARY", !name.equals("BINARY"));
            }
            default -> throw bad("unknown FETCH item " + name);
        }
    }

    private Command.Section section(String kind, boolean peek) throws ParseException {
        expect('[');
        List<Integer> path = new ArrayList<>();
        String text = "";
        List<String> fields = List.of();
        while (peek() >= '0' && peek() <= '9') {
            long n = number();
            if (n == 0 || n > 100_000) {
                throw bad("invalid section part " + n);
            }
            path.add((int) n);
            if (peek() == '.') {
                pos++;
            } else {
                break;
            }
        }
        if (peek() != ']') {
            if (!kind.equals("BODY")) {
                throw bad("BINARY takes only a part number (RFC 3516 §4.2)");
            }
            text = atomWhere(c -> isAtomChar(c) && c != ']').toUpperCase(Locale.ROOT);
            switch (text) {
                case "HEADER", "TEXT" -> {
                }
                case "MIME" -> {
                    if (path.isEmpty()) {
                        throw bad("MIME needs a part number");
                    }
                }
                case "HEADER.FIELDS", "HEADER.FIELDS.NOT" -> {
                    sp();
                    fields = upper(astringList());
                    if (fields.isEmpty()) {
                        throw bad("empty header list");
                    }
                }
                default -> throw bad("unknown section " + text);
            }
        }
        expect(']');
        long start = -1;
        long length = -1;
        if (peek() == '<') {
            if (kind.equals("BINARY.SIZE")) {
                throw bad("BINARY.SIZE takes no partial");
            }
            pos++;
            start = number();
            expect('.');
            length = number();
            if (length == 0) {
                throw bad("partial length must be positive");
            }
            expect('>');
        }
        return new Command.Section(kind, peek, path.stream().mapToInt(Integer::intValue).toArray(), text, fields, start, length);
    }

    private Command store(boolean uid) throws ParseException {
        sp();
        SequenceSet set = sequenceSet();
        sp();
        long unchangedSince = -1;
        if (peek() == '(') {
            expect('(');
            String modifier = atom().toUpperCase(Locale.ROOT);
            if (!modifier.equals("UNCHANGEDSINCE")) {
                throw bad("unknown STORE modifier " + modifier);
            }
            sp();
            unchangedSince = number();
            expect(')');
            sp();
        }
        String item = atom().toUpperCase(Locale.ROOT);
        char mode = '=';
        if (item.startsWith("+") || item.startsWith("-")) {
            mode = item.charAt(0);
            item = item.substring(1);
        }
        boolean silent = false;
        if (item.equals("FLAGS.SILENT")) {
            silent = true;
        } else if (!item.equals("FLAGS")) {
            throw bad("STORE takes FLAGS, +FLAGS or -FLAGS");
        }
        sp();
        List<String> flags;
        if (peek() == '(') {
            flags = flagList();
        } else {
            flags = new ArrayList<>();
            flags.add(flag());
            while (peek() == ' ') {
                sp();
                flags.add(flag());
            }
        }
        return new Command.Store(tag, uid, set, unchangedSince, mode, silent, flags);
    }

    private Command search(boolean uid) throws ParseException {
        sp();
        List<String> returnOptions = new ArrayList<>();
        boolean esearch = false;
        String charset = null;
        if (peekAtom().equalsIgnoreCase("RETURN")) {
            atom();
            sp();
            esearch = true;
            returnOptions = upper(atomList());
            for (String option : returnOptions) {
                if (!List.of("MIN", "MAX", "ALL", "COUNT").contains(option)) {
                    throw bad("unknown SEARCH return option " + option);
                }
            }
            sp();
        }
        if (peekAtom().equalsIgnoreCase("CHARSET")) {
            atom();
            sp();
            charset = astring().toUpperCase(Locale.ROOT);
            sp();
        }
        List<SearchKey> keys = new ArrayList<>();
        keys.add(searchKey(0));
        while (peek() == ' ') {
            sp();
            keys.add(searchKey(0));
        }
        return new Command.Search(tag, uid, charset, returnOptions, esearch,
                keys.size() == 1 ? keys.get(0) : new Command.And(keys));
    }

    private SearchKey searchKey(int depth) throws ParseException {
        if (depth > MAX_DEPTH) {
            throw bad("search keys nested too deeply");
        }
        if (peek() == '(') {
            expect('(');
            List<SearchKey> keys = new ArrayList<>();
            keys.add(searchKey(depth + 1));
            while (peek() == ' ') {
                sp();
                keys.add(searchKey(depth + 1));
            }
            expect(')');
            return keys.size() == 1 ? keys.get(0) : new Command.And(keys);
        }
        if ((peek() >= '0' && peek() <= '9') || peek() == '*') {
            return new Command.Seq(false, sequenceSet());
        }
        String key = atom().toUpperCase(Locale.ROOT);
        return switch (key) {
            case "ALL" -> new Command.Constant(true);
            case "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "SEEN" -> new Command.FlagKey("\\" + capitalize(key), true);
            case "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN" -> new Command.FlagKey("\\" + capitalize(key.substring(2)), false);
            // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT
            case "RECENT" -> new Command.FlagKey("\\Recent", true);
            case "OLD" -> new Command.FlagKey("\\Recent", false);
            case "NEW" -> new Command.And(List.of(new Command.FlagKey("\\Recent", true), new Command.FlagKey("\\Seen", false)));
            case "KEYWORD" -> new Command.FlagKey(spThen(this::atom), true);
            case "UNKEYWORD" -> new Command.FlagKey(spThen(this::atom), false);
            case "BCC", "CC", "FROM", "SUBJECT", "TO" -> new Command.Header(key, spThen(this::astring));
            case "HEADER" -> {
                sp();
                String field = astring();
                sp();
                yield new Command.Header(field.toUpperCase(Locale.ROOT), astring());
            }
            case "BODY" -> new Command.Text(false, spThen(this::astring));
            case "TEXT" -> new Command.Text(true, spThen(this::astring));
            case "BEFORE" -> new Command.DateKey(false, -1, spThen(this::date));
            case "ON" -> new Command.DateKey(false, 0, spThen(this::date));
            case "SINCE" -> new Command.DateKey(false, 1, spThen(this::date));
            case "SENTBEFORE" -> new Command.DateKey(true, -1, spThen(this::date));
            case "SENTON" -> new Command.DateKey(true, 0, spThen(this::date));
            case "SENTSINCE" -> new Command.DateKey(true, 1, spThen(this::date));
            case "LARGER" -> new Command.Size(true, spThen(this::number));
            case "SMALLER" -> new Command.Size(false, spThen(this::number));
            case "UID" -> new Command.Seq(true, spThen(this::sequenceSet));
            case "NOT" -> {
                sp();
                yield new Command.Not(searchKey(depth + 1));
            }
            case "OR" -> {
                sp();
                SearchKey left = searchKey(depth + 1);
                sp();
                yield new Command.Or(left, searchKey(depth + 1));
            }
            case "MODSEQ" -> {
                sp();
                if (peek() == '"') {
                    quoted(); // entry-name and entry-type-req (RFC 7162 §3.1.5): we keep one mod-sequence per message
                    sp();
                    atom();
                    sp();
                }
                yield new Command.ModSeq(number());
            }
            default -> throw bad("unknown search key " + key);
        };
    }

    private static List<String> upper(List<String> items) {
        return items.stream().map(s -> s.toUpperCase(Locale.ROOT)).toList();
    }
}
