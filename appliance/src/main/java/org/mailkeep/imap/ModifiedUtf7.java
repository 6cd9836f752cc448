package org.mailkeep.imap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Modified UTF-7, the mailbox-name encoding of IMAP4rev1 (RFC 3501 §5.1.3): printable US-ASCII except "&"
 * stands for itself, "&" is "&-", and any other run of characters is "&" + their UTF-16BE in base64 with ","
 * for "/" and no padding + "-". Names are kept in the database as Unicode; a session converts them at the wire
 * unless the client enabled UTF8=ACCEPT (RFC 6855) or IMAP4rev2 (RFC 9051 §5.1), where names are UTF-8.
 * <p>
 * Written by hand: the only Java implementations are inside mail client libraries (JavaMail's
 * BASE64MailboxEncoder), too large a dependency for forty lines of RFC.
 */
final class ModifiedUtf7 {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    private ModifiedUtf7() {
    }

    private static boolean direct(char c) {
        return c >= 0x20 && c <= 0x7e && c != '&';
    }

    /** Unicode name → modified UTF-7. */
    static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        int i = 0;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c == '&') {
                out.append("&-");
                i++;
            } else if (direct(c)) {
                out.append(c);
                i++;
            } else {
                int end = i;
                while (end < name.length() && !direct(name.charAt(end)) && name.charAt(end) != '&') {
                    end++;
                }
                byte[] utf16 = name.substring(i, end).getBytes(StandardCharsets.UTF_16BE);
                out.append('&');
                int bits = 0;
                int buffer = 0;
                for (byte b : utf16) {
                    buffer = (buffer << 8) | (b & 0xff);
                    bits += 8;
                    while (bits >= 6) {
                        bits -= 6;
                        out.append(ALPHABET.charAt((buffer >> bits) & 0x3f));
                    }
                }
                if (bits > 0) {
                    out.append(ALPHABET.charAt((buffer << (6 - bits)) & 0x3f));
                }
                out.append('-');
                i = end;
            }
        }
        return out.toString();
    }

    /**
     * Modified UTF-7 → Unicode. Throws IllegalArgumentException for what RFC 3501 §5.1.3 forbids: an unterminated
     * or empty shift, characters outside the alphabet, non-zero leftover bits, a shift encoding printable ASCII, or
     * two shifts back to back. Characters above US-ASCII are passed through (a lenient client's raw UTF-8).
     */
    static String decode(String name) {
        if (name.indexOf('&') < 0) {
            return name;
        }
        StringBuilder out = new StringBuilder(name.length());
        int i = 0;
        boolean justShifted = false;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                justShifted = false;
                continue;
            }
            int end = name.indexOf('-', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated modified UTF-7 in mailbox name");
            }
            if (end == i + 1) {
                out.append('&');
                i = end + 1;
                justShifted = false;
                continue;
            }
            if (justShifted) {
                throw new IllegalArgumentException("adjacent modified UTF-7 shifts in mailbox name");
            }
            out.append(base64(name.substring(i + 1, end)));
            i = end + 1;
            justShifted = true;
        }
        return out.toString();
    }

    private static String base64(String encoded) {
        ByteBuffer bytes = ByteBuffer.allocate(encoded.length() * 6 / 8 + 1);
        int bits = 0;
        int buffer = 0;
        for (int k = 0; k < encoded.length(); k++) {
            int v = ALPHABET.indexOf(encoded.charAt(k));
            if (v < 0) {
                throw new IllegalArgumentException("invalid modified UTF-7 in mailbox name");
            }
            buffer = (buffer << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                bytes.put((byte) (buffer >> bits));
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0 || bytes.position() % 2 != 0) {
            throw new IllegalArgumentException("invalid modified UTF-7 in mailbox name");
        }
        bytes.flip();
        String text;
        try {
            text = StandardCharsets.UTF_16BE.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("invalid UTF-16 in modified UTF-7 mailbox name");
        }
        if (text.chars().anyMatch(ch -> direct((char) ch) || ch == '&')) {
            throw new IllegalArgumentException("modified UTF-7 shift encodes printable ASCII");
        }
        return text;
    }
}
