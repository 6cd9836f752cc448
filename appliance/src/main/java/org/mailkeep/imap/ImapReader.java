package org.mailkeep.imap;

import org.mailkeep.imap.Command.Literal;
import org.mailkeep.imap.ImapParser.ParseException;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lexical layer of the IMAP grammar (RFC 3501 §9, RFC 9051 §9): atoms, numbers, sequence sets, quoted strings and
 * literals, astrings, mailbox names, flags and lists, read from a command's parts (its lines and the literals between
 * them). {@link ImapParser} builds the commands on it.
 */
abstract class ImapReader {

    private static final DateTimeFormatter DATE = new java.time.format.DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("d-MMM-yyyy").toFormatter(Locale.ENGLISH);

    private final List<Object> parts;
    private int part;
    private byte[] line;
    private final boolean utf8Names;
    int pos;
    /** The command's tag once read: every refusal carries it. */
    String tag;

    ImapReader(List<Object> parts, boolean utf8Names) {
        this.parts = parts;
        this.line = (byte[]) parts.get(0);
        this.utf8Names = utf8Names;
    }

    @FunctionalInterface
    interface Production<T> {
        T get() throws ParseException;
    }

    <T> T spThen(Production<T> production) throws ParseException {
        sp();
        return production.get();
    }

    ParseException bad(String message) {
        return new ParseException(tag, message);
    }

    boolean atEnd() {
        return pos >= line.length && part == parts.size() - 1;
    }

    /** The next byte of the current line, or -1 at its end (a literal may follow). */
    int peek() {
        return pos < line.length ? line[pos] & 0xff : -1;
    }

    void expect(char c) throws ParseException {
        if (peek() != c) {
            throw bad("expected '" + c + "'" + (peek() < 0 ? " at end of line" : " at '" + (char) peek() + "'"));
        }
        pos++;
    }

    void sp() throws ParseException {
        expect(' ');
    }

    interface BytePredicate {
        boolean test(int c);
    }

    String atomWhere(BytePredicate allowed) {
        int start = pos;
        while (pos < line.length && allowed.test(line[pos] & 0xff)) {
            pos++;
        }
        return new String(line, start, pos - start, StandardCharsets.UTF_8);
    }

    /** RFC 3501 §9 ATOM-CHAR: any CHAR except atom-specials. */
    static boolean isAtomChar(int c) {
        return c > ' ' && c < 127 && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' && c != '"' && c != '\\' && c != ']';
    }

    String atom() throws ParseException {
        String atom = atomWhere(ImapReader::isAtomChar);
        if (atom.isEmpty()) {
            throw bad(peek() < 0 ? "missing argument" : "expected an atom at '" + (char) peek() + "'");
        }
        return atom;
    }

    String peekAtom() {
        int save = pos;
        String atom = atomWhere(ImapReader::isAtomChar);
        pos = save;
        return atom;
    }

    long number() throws ParseException {
        String digits = atomWhere(c -> c >= '0' && c <= '9');
        if (digits.isEmpty() || digits.length() > 19) {
            throw bad("expected a number");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw bad("number too large");
        }
    }

    SequenceSet sequenceSet() throws ParseException {
        String text = atomWhere(c -> (c >= '0' && c <= '9') || c == ':' || c == ',' || c == '*');
        try {
            return SequenceSet.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    void nil() throws ParseException {
        if (!atom().equalsIgnoreCase("NIL")) {
            throw bad("expected NIL");
        }
    }

    String nstring() throws ParseException {
        if (peek() != '"' && peek() >= 0 && peekAtom().equalsIgnoreCase("NIL")) {
            atom();
            return null;
        }
        return string();
    }

    /** A quoted string or a literal. */
    String string() throws ParseException {
        if (peek() == '"') {
            return quoted();
        }
        Literal literal = literal();
        if (literal == null) {
            throw bad("expected a string");
        }
        return literal.text();
    }

    String quoted() throws ParseException {
        expect('"');
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (true) {
            int c = peek();
            if (c < 0 || c == '\r' || c == '\n') {
                throw bad("unterminated quoted string");
            }
            pos++;
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                int next = peek();
                if (next != '"' && next != '\\') {
                    throw bad("invalid escape in quoted string");
                }
                pos++;
                c = next;
            }
            out.write(c);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The literal that follows at the end of the current line, or null when the line goes on. */
    Literal literal() {
        if (pos < line.length || part + 1 >= parts.size() || !(parts.get(part + 1) instanceof Literal literal)) {
            return null;
        }
        part += 2;
        line = (byte[]) parts.get(part);
        pos = 0;
        return literal;
    }

    String astring() throws ParseException {
        if (peek() == '"' || peek() < 0) {
            return string();
        }
        // 8-bit bytes are taken as UTF-8 (RFC 9051 §4.3 allows UTF-8 strings; clients send them unquoted too)
        String atom = atomWhere(c -> isAtomChar(c) || c == ']' || c >= 128);
        if (atom.isEmpty()) {
            throw bad("expected a string");
        }
        return atom;
    }

    String astringOrEmpty() throws ParseException {
        return astring();
    }

    /** A mailbox name; "INBOX" in any case is INBOX (RFC 3501 §5.1). */
    String mailbox() throws ParseException {
        return mailboxName(wireName(astring()));
    }

    /**
     * The name of a mailbox that must exist already, or a LIST pattern: a name that is not valid modified UTF-7 names no
     * mailbox we could have created (RFC 3501 §5.1.3), so SELECT of it is answered NO [NONEXISTENT], not BAD, and a
     * pattern made of such characters simply matches nothing.
     */
    String existingMailbox() throws ParseException {
        return mailboxName(nameOrAsSent(astring()));
    }

    /** A name (or pattern) as the client sent it → Unicode, or as sent when it is not valid modified UTF-7. */
    String nameOrAsSent(String name) {
        try {
            return wireName(name);
        } catch (ParseException e) {
            return name;
        }
    }

    /** A mailbox name (or LIST pattern) as the client sent it → Unicode. */
    String wireName(String name) throws ParseException {
        if (utf8Names) {
            return name;
        }
        try {
            return ModifiedUtf7.decode(name);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    static String mailboxName(String name) {
        if (name.equalsIgnoreCase("INBOX")) {
            return "INBOX";
        }
        if (name.regionMatches(true, 0, "INBOX/", 0, 6)) {
            return "INBOX" + name.substring(5);
        }
        return name;
    }

    /** list-mailbox: an atom that may contain the wildcards % and *, or a string. */
    String listMailbox() throws ParseException {
        if (peek() == '"' || peek() < 0) {
            return string();
        }
        String atom = atomWhere(c -> isAtomChar(c) || c == '%' || c == '*' || c == ']' || c >= 128);
        if (atom.isEmpty()) {
            throw bad("expected a mailbox pattern");
        }
        return atom;
    }

    String flag() throws ParseException {
        if (peek() == '\\') {
            pos++;
            String name = atomWhere(c -> isAtomChar(c) || c == '*');
            if (name.isEmpty()) {
                throw bad("empty flag");
            }
            return "\\" + capitalize(name);
        }
        return atom();
    }

    List<String> flagList() throws ParseException {
        expect('(');
        List<String> flags = new ArrayList<>();
        while (peek() != ')') {
            flags.add(flag());
            if (peek() == ' ') {
                sp();
            } else if (peek() != ')') {
                throw bad("expected ')' after flags");
            }
        }
        expect(')');
        return flags;
    }

    List<String> atomList() throws ParseException {
        expect('(');
        List<String> atoms = new ArrayList<>();
        while (peek() != ')') {
            atoms.add(atom());
            if (peek() == ' ') {
                sp();
            } else if (peek() != ')') {
                throw bad("expected ')'");
            }
        }
        expect(')');
        return atoms;
    }

    List<String> astringList() throws ParseException {
        expect('(');
        List<String> items = new ArrayList<>();
        while (peek() != ')') {
            items.add(astring());
            if (peek() == ' ') {
                sp();
            } else if (peek() != ')') {
                throw bad("expected ')'");
            }
        }
        expect(')');
        return items;
    }

    /** Skips a parenthesized list (arguments we accept but do not use), bounded in depth. */
    void list(int depth) throws ParseException {
        if (depth > ImapParser.MAX_DEPTH) {
            throw bad("lists nested too deeply");
        }
        expect('(');
        while (peek() != ')') {
            if (peek() == '(') {
                list(depth + 1);
            } else if (peek() == '"' || peek() < 0) {
                string();
            } else {
                atomWhere(c -> isAtomChar(c) || c == '\\' || c == '*' || c == '%');
            }
            if (peek() == ' ') {
                sp();
            } else if (peek() != ')') {
                throw bad("expected ')'");
            }
        }
        expect(')');
    }

    LocalDate date() throws ParseException {
        String text = peek() == '"' ? quoted() : atom();
        try {
            return LocalDate.parse(text, DATE);
        } catch (DateTimeParseException e) {
            throw bad("invalid date " + text + " (expected e.g. 1-Feb-2024)");
        }
    }

    /** A system flag's or search key's name as RFC 3501 spells it: "\\Seen", not "\\SEEN". */
    static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
    }
}
