package org.mailkeep.spf;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Macro expansion of RFC 7208 §7: %{s l o d i p h v}, plus %{c r t} in explanation text, transformers and delimiters. */
final class MacroExpander {

    /** The values macros expand to. {@code validatedName} does DNS (the "p" macro, §7.3) and is only called when used. */
    record Values(String sender, String domain, InetAddress ip, String helo, String receiver, Supplier<String> validatedName) {
    }

    private MacroExpander() {
    }

    /** Checks macro-string syntax (§7.1); letters c, r and t are allowed only in explanation text. */
    static void validate(String text, boolean expText) throws SpfRecord.SyntaxError {
        expand(text, null, expText);
    }

    static String expand(String text, Values values, boolean expText) throws SpfRecord.SyntaxError {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char ch = text.charAt(i);
            if (ch != '%') {
                // macro-literal = %x21-24 / %x26-7E; explanation text may also hold spaces (§6.2)
                if ((ch < 0x21 || ch > 0x7e) && !(expText && ch == ' ')) {
                    throw new SpfRecord.SyntaxError("invalid character in macro-string '" + text + "'");
                }
                out.append(ch);
                i++;
                continue;
            }
            if (i + 1 >= text.length()) {
                throw new SpfRecord.SyntaxError("'%' at the end of '" + text + "'");
            }
            char next = text.charAt(i + 1);
            switch (next) {
                case '%' -> out.append('%');
                case '_' -> out.append(' ');
                case '-' -> out.append("%20");
                case '{' -> {
                    int close = text.indexOf('}', i);
                    if (close < 0) {
                        throw new SpfRecord.SyntaxError("unterminated macro in '" + text + "'");
                    }
                    out.append(expandOne(text.substring(i + 2, close), values, expText));
                    i = close + 1;
                    continue;
                }
                default -> throw new SpfRecord.SyntaxError("invalid macro '%" + next + "' in '" + text + "'");
            }
            i += 2;
        }
        return out.toString();
    }

    private static String expandOne(String macro, Values values, boolean expText) throws SpfRecord.SyntaxError {
        // macro-letter transformers *delimiter
        if (macro.isEmpty()) {
            throw new SpfRecord.SyntaxError("empty macro");
        }
        char letter = macro.charAt(0);
        char lower = Character.toLowerCase(letter);
        if ("slodiphv".indexOf(lower) < 0 && !(expText && "crt".indexOf(lower) >= 0)) {
            throw new SpfRecord.SyntaxError("invalid macro letter '" + letter + "'");
        }
        // transformers = *DIGIT [ "r" ] (§7.1): ASCII digits, any number of them; a count beyond int keeps every label
        int p = 1;
        while (p < macro.length() && macro.charAt(p) >= '0' && macro.charAt(p) <= '9') {
            p++;
        }
        int keep = p > 1 ? new BigInteger(macro.substring(1, p)).min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue() : -1;
        if (keep == 0) {
            throw new SpfRecord.SyntaxError("zero transformer in %{" + macro + "}");
        }
        boolean reverse = false;
        if (p < macro.length() && Character.toLowerCase(macro.charAt(p)) == 'r') {
            reverse = true;
            p++;
        }
        String delimiters = macro.substring(p);
        if (!delimiters.matches("[.\\-+,/_=]*")) {
            throw new SpfRecord.SyntaxError("invalid delimiter in %{" + macro + "}");
        }
        if (values == null) {
            return "";
        }
        String value = value(lower, values);
        if (keep > 0 || reverse || !delimiters.isEmpty()) {
            String delims = delimiters.isEmpty() ? "." : delimiters;
            List<String> parts = new ArrayList<>();
            StringBuilder part = new StringBuilder();
            for (char c : value.toCharArray()) {
                if (delims.indexOf(c) >= 0) {
                    parts.add(part.toString());
                    part.setLength(0);
                } else {
                    part.append(c);
                }
            }
            parts.add(part.toString());
            if (reverse) {
                Collections.reverse(parts);
            }
            if (keep > 0 && keep < parts.size()) {
                parts = parts.subList(parts.size() - keep, parts.size());
            }
            value = String.join(".", parts);
        }
        return Character.isUpperCase(letter) ? urlEscape(value) : value;
    }

    private static String value(char letter, Values v) {
        String sender = v.sender();
        int at = sender.lastIndexOf('@');
        return switch (letter) {
            case 's' -> sender;
            case 'l' -> sender.substring(0, at);
            case 'o' -> sender.substring(at + 1);
            case 'd' -> v.domain();
            case 'i' -> dotted(v.ip());
            case 'p' -> v.validatedName().get();
            case 'v' -> v.ip() instanceof Inet4Address ? "in-addr" : "ip6";
            case 'h' -> v.helo() == null || v.helo().isEmpty() ? "unknown" : v.helo();
            case 'c' -> v.ip().getHostAddress();
            case 'r' -> v.receiver() == null ? "unknown" : v.receiver();
            case 't' -> Long.toString(System.currentTimeMillis() / 1000);
            default -> throw new IllegalStateException("unchecked macro letter " + letter);
        };
    }

    /** §7.3: "i" is dotted-quad for IPv4 and dot-separated nibbles for IPv6. */
    static String dotted(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : ip.getAddress()) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.').append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    /** §7.3: uppercase macros are URL-escaped (RFC 3986 unreserved characters kept). */
    private static String urlEscape(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return sb.toString();
    }
}
