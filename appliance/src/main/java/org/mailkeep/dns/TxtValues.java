package org.mailkeep.dns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * TXT values as users see them and as DNS stores them. A TXT record is a list of character-strings of at
 * most 255 octets each (RFC 1035 §3.3.14); mail standards concatenate them without separators (RFC 7208
 * §3.3, RFC 6376 §3.6.2.2). Checkers that compare the quoted presentation form fail on split records; we
 * always compare the joined value.
 */
public final class TxtValues {

    static final int MAX_STRING = 255;

    private TxtValues() {
    }

    /** The character-strings of one TXT record joined as RFC 7208 §3.3 says. */
    public static String join(List<String> strings) {
        return String.join("", strings);
    }

    /** Splits {@code value} into character-strings of at most 255 octets (never inside a UTF-8 sequence). */
    public static List<String> split(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        List<String> parts = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = Math.min(start + MAX_STRING, bytes.length);
            while (end < bytes.length && (bytes[end] & 0xC0) == 0x80) {
                end--; // do not cut a multi-byte character
            }
            parts.add(new String(bytes, start, end - start, StandardCharsets.UTF_8));
            start = end;
        }
        if (parts.isEmpty()) {
            parts.add("");
        }
        return parts;
    }

    /**
     * Undoes the quoting users often paste along with a value ({@code "v=spf1 " "mx -all"} or a single
     * quoted string): returns the joined content, or the text itself when it is not quoted.
     */
    public static String unquote(String text) {
        String trimmed = text.trim();
        if (!trimmed.startsWith("\"")) {
            return trimmed;
        }
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c == '"') {
                inside = !inside;
            } else if (inside && c == '\\' && i + 1 < trimmed.length()) {
                out.append(trimmed.charAt(++i));
            } else if (inside) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The "kind" of a tagged TXT value: its first tag ("v=spf1", "v=DMARC1", "v=STSv1", ...) so a check can
     * tell a wrong SPF record from an unrelated TXT record at the same name; empty when untagged.
     */
    static String kind(String value) {
        String v = value.trim();
        if (!v.regionMatches(true, 0, "v=", 0, 2)) {
            return "";
        }
        int end = 0;
        while (end < v.length() && v.charAt(end) != ' ' && v.charAt(end) != ';') {
            end++;
        }
        return v.substring(0, end).toLowerCase(java.util.Locale.ROOT);
    }

    /** Whitespace is not significant between SPF terms or DMARC/DKIM tags (RFC 7208 §4.6.1, RFC 6376 §3.2): collapse it. */
    static String normalize(String value) {
        return value.trim().replaceAll("\\s+", " ").replaceAll("\\s*;\\s*", "; ").replaceAll(";\\s*$", "");
    }
}
