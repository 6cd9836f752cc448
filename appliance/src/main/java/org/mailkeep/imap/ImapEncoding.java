package org.mailkeep.imap;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** How values go on the wire in responses (RFC 3501 §4, §9): atoms, quoted strings, literals, NIL. */
public final class ImapEncoding {

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);

    private ImapEncoding() {
    }

    /**
     * A string as a quoted string when it can be one (no CR, LF, NUL, and 7-bit unless {@code utf8} — RFC 9051
     * and RFC 6855 allow UTF-8 in quoted strings), otherwise as a literal {@code {n}CRLF} followed by its bytes.
     */
    public static void string(StringBuilder out, String value, boolean utf8) {
        boolean quotable = value.length() < 1024;
        for (int i = 0; i < value.length() && quotable; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || (c > 126 && !utf8)) {
                quotable = false;
            }
        }
        if (quotable) {
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\');
                }
                out.append(c);
            }
            out.append('"');
        } else {
            out.append('{').append(value.getBytes(StandardCharsets.UTF_8).length).append("}\r\n").append(value);
        }
    }

    public static String string(String value) {
        StringBuilder out = new StringBuilder();
        string(out, value, false);
        return out.toString();
    }

    /** A string or NIL. */
    public static void nstring(StringBuilder out, String value) {
        if (value == null) {
            out.append("NIL");
        } else {
            string(out, value, false);
        }
    }

    /** An astring: a bare atom when every character is an ATOM-CHAR (or ']', RFC 3501 §9 ASTRING-CHAR), else a string. */
    public static String astring(String value) {
        boolean atom = !value.isEmpty() && !value.equalsIgnoreCase("NIL");
        for (int i = 0; i < value.length() && atom; i++) {
            char c = value.charAt(i);
            atom = ImapParser.isAtomChar(c) || c == ']';
        }
        return atom ? value : string(value);
    }

    /**
     * A mailbox name in LIST/STATUS answers: always quoted (as Dovecot does), a literal when it must be; in modified
     * UTF-7 (RFC 3501 §5.1.3) unless the client takes UTF-8 ({@code utf8}: UTF8=ACCEPT, RFC 6855 §3, or IMAP4rev2).
     */
    public static String mailbox(String name, boolean utf8) {
        StringBuilder out = new StringBuilder();
        string(out, utf8 ? name : ModifiedUtf7.encode(name), utf8);
        return out.toString();
    }

    /** A parenthesized flag list. */
    public static String flags(Collection<String> flags) {
        return "(" + String.join(" ", flags) + ")";
    }

    /** date-time, e.g. "01-Feb-2024 10:00:00 +0000" (RFC 3501 §9, day zero-padded as 2-digit is allowed). */
    public static String dateTime(long epochMillis) {
        return '"' + DATE_TIME.format(Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault())) + '"';
    }

    /**
     * Reads back a parenthesized list this class wrote (an ENVELOPE from the structure cache): nested lists of
     * strings, with NIL as null. Atoms other than NIL are returned as strings.
     */
    public static List<Object> parseList(String text) {
        int[] pos = {0};
        Object value = parseValue(text, pos);
        if (!(value instanceof List<?>)) {
            throw new IllegalArgumentException("not a parenthesized list");
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) value;
        return list;
    }

    private static Object parseValue(String text, int[] pos) {
        while (text.charAt(pos[0]) == ' ') {
            pos[0]++;
        }
        char c = text.charAt(pos[0]);
        if (c == '(') {
            pos[0]++;
            List<Object> list = new ArrayList<>();
            while (true) {
                while (text.charAt(pos[0]) == ' ') {
                    pos[0]++;
                }
                if (text.charAt(pos[0]) == ')') {
                    pos[0]++;
                    return list;
                }
                list.add(parseValue(text, pos));
            }
        }
        if (c == '"') {
            StringBuilder out = new StringBuilder();
            int i = pos[0] + 1;
            for (char d = text.charAt(i); d != '"'; d = text.charAt(++i)) {
                out.append(d == '\\' ? text.charAt(++i) : d);
            }
            pos[0] = i + 1;
            return out.toString();
        }
        if (c == '{') { // {n}CRLF then n bytes of UTF-8
            int close = text.indexOf('}', pos[0]);
            int bytes = Integer.parseInt(text.substring(pos[0] + 1, close));
            int i = close + 3;
            int start = i;
            while (bytes > 0) {
                int cp = text.codePointAt(i);
                bytes -= new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                i += Character.charCount(cp);
            }
            pos[0] = i;
            return text.substring(start, i);
        }
        int end = pos[0];
        while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != ')') {
            end++;
        }
        String atom = text.substring(pos[0], end);
        pos[0] = end;
        return atom.equals("NIL") ? null : atom;
    }

    /** The length in bytes of {@code out} as sent (UTF-8): used when a literal's content is built as text. */
    public static int utf8Length(CharSequence out) {
        return out.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
