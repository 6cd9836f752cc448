package org.mailkeep.dkim;

import jakarta.enterprise.context.ApplicationScoped;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Signs messages of local domains (RFC 6376 §5) with every active key of the domain (rsa-sha256 and
 * ed25519-sha256), relaxed/relaxed. The result is the DKIM-Signature fields to put on top of the message;
 * the stored message file is never rewritten. The body is streamed once, whatever its size.
 */
@ApplicationScoped
public class DkimSigner {

    /**
     * The header fields signed when present (RFC 6376 §5.4.1's recommendations). From is also "oversigned":
     * listed once more than it occurs, so a From added in transit breaks the signature (§8.15).
     */
    static final List<String> SIGNED_HEADERS = List.of("from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc",
            "mime-version", "content-type", "content-transfer-encoding", "content-id", "content-description",
            "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post",
            "list-owner", "list-archive", "resent-date", "resent-from", "resent-sender", "resent-to", "resent-cc",
            "resent-message-id");
    static final Set<String> OVERSIGNED = Set.of("from");

    private final DkimKeys keys;

    public DkimSigner(DkimKeys keys) {
        this.keys = keys;
    }

    /** The DKIM-Signature fields (folded, without final CRLF) for a message from {@code domain}. */
    public List<String> sign(InputStream message, String domain) throws IOException {
        return sign(message, keys.signingKeys(domain), System.currentTimeMillis() / 1000);
    }

    static List<String> sign(InputStream message, List<DkimKeys.SigningKey> signingKeys, long timestamp) throws IOException {
        BufferedInputStream in = message instanceof BufferedInputStream b ? b : new BufferedInputStream(message);
        List<HeaderField> header = HeaderField.readHeader(in);
        Canonicalization.BodyHasher body = Canonicalization.RELAXED.bodyHasher(DkimAlgorithm.sha256(), -1);
        byte[] line;
        while ((line = HeaderField.readLine(in)) != null) {
            body.line(line);
        }
        String bh = Base64.getEncoder().encodeToString(body.finish());
        List<String> hNames = new ArrayList<>();
        for (String name : SIGNED_HEADERS) {
            long count = header.stream().filter(f -> f.lowerName().equals(name)).count();
            for (long i = 0; i < count + (OVERSIGNED.contains(name) ? 1 : 0); i++) {
                hNames.add(name);
            }
        }
        List<String> signatures = new ArrayList<>();
        for (DkimKeys.SigningKey key : signingKeys) {
            String unsigned = fold("DKIM-Signature: v=1; a=" + key.algorithm().tag() + "; c=relaxed/relaxed; d=" + key.domain()
                    + "; s=" + key.selector() + "; t=" + timestamp + "; h=" + String.join(":", hNames) + "; bh=" + bh + "; b=");
            byte[] data = signedData(header, hNames, HeaderField.of(unsigned), Canonicalization.RELAXED);
            String b = Base64.getEncoder().encodeToString(key.algorithm().sign(key.privateKey(), data));
            signatures.add(unsigned + foldValue(b, lastLineLength(unsigned)));
        }
        return signatures;
    }

    /**
     * The data a signature covers (RFC 6376 §3.7): the h= fields chosen bottom-up, canonicalized, each with
     * CRLF, then the signature field itself with an empty b= and no final CRLF.
     */
    static byte[] signedData(List<HeaderField> header, List<String> hNames, HeaderField signatureWithoutB, Canonicalization c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.Map<String, Integer> used = new java.util.HashMap<>();
        for (String name : hNames) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            int skip = used.merge(lower, 1, Integer::sum) - 1;
            HeaderField chosen = null;
            for (int i = header.size() - 1, seen = 0; i >= 0; i--) { // §5.4.2: last instance first
                if (header.get(i).lowerName().equals(lower) && seen++ == skip) {
                    chosen = header.get(i);
                    break;
                }
            }
            if (chosen != null) { // a missing (oversigned) field contributes nothing (§5.4)
                out.writeBytes(c.header(chosen));
                out.writeBytes(new byte[] {'\r', '\n'});
            }
        }
        out.writeBytes(c.header(signatureWithoutB));
        return out.toByteArray();
    }

    /** Folds a header field at "; " and, inside h=, at ":" (FWS is allowed there, RFC 6376 §3.5) to keep lines under 78 characters. */
    private static String fold(String field) {
        List<String> tokens = new ArrayList<>();
        for (String part : field.split("(?<=; )")) {
            tokens.addAll(part.startsWith("h=") ? List.of(part.split("(?<=:)")) : List.of(part));
        }
        StringBuilder out = new StringBuilder();
        int lineLength = 0;
        for (String token : tokens) {
            if (lineLength > 0 && lineLength + token.length() > 76) {
                if (out.charAt(out.length() - 1) == ' ') {
                    out.setLength(out.length() - 1);
                }
                out.append("\r\n\t");
                lineLength = 1;
            }
            out.append(token);
            lineLength += token.length();
        }
        return out.toString();
    }

    private static String foldValue(String base64, int used) {
        StringBuilder out = new StringBuilder();
        int room = Math.max(8, 76 - used);
        int i = 0;
        while (i < base64.length()) {
            int end = Math.min(base64.length(), i + room);
            if (i > 0) {
                out.append("\r\n\t");
            }
            out.append(base64, i, end);
            i = end;
            room = 72;
        }
        return out.toString();
    }

    private static int lastLineLength(String text) {
        return text.length() - text.lastIndexOf('\n') - 1;
    }
}
