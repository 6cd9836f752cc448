package org.mailkeep.imap;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
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

    /** A mailbox name in LIST/STATUS answers: always quoted (as Dovecot does), a literal when it must be. */
    public static String mailbox(String name, boolean utf8) {
        StringBuilder out = new StringBuilder();
        string(out, name, utf8);
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

    /** The length in bytes of {@code out} as sent (UTF-8): used when a literal's content is built as text. */
    public static int utf8Length(CharSequence out) {
        return out.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
