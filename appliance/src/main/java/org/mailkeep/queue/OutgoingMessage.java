package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dkim.DkimSigner;
import org.mailkeep.dkim.HeaderField;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The steps an outgoing message takes before it is sent, apart from the scheduler: DKIM signing for our own
 * domains (RFC 6376 §5; the queue keeps the signature fields, the stored file never changes), the 8-bit and UTF-8
 * inspection that decides on BODY=8BITMIME and SMTPUTF8, and the 7-bit conversion for a server without 8BITMIME
 * (RFC 6152 §3).
 */
@ApplicationScoped
public class OutgoingMessage {

    private final Directory directory;
    private final DkimSigner signer;
    private final MessageStore store;

    public OutgoingMessage(Directory directory, DkimSigner signer, MessageStore store) {
        this.directory = directory;
        this.signer = signer;
        this.store = store;
    }

    /** The local domain that signs: the From header's when it is local, else the envelope sender's; null when neither is. */
    private String signingDomain(List<HeaderField> header, String envelopeFrom) {
        String fromDomain = null;
        for (HeaderField field : header) {
            if (field.lowerName().equals("from")) {
                String value = field.value();
                int lt = value.lastIndexOf('<');
                String address = lt >= 0 ? value.substring(lt + 1, value.indexOf('>', lt) < 0 ? value.length() : value.indexOf('>', lt)) : value;
                fromDomain = Address.parse(address.trim()).map(Address::domain).orElse(null);
                break;
            }
        }
        return fromDomain != null && directory.isLocalDomain(fromDomain) ? fromDomain
                : envelopeFrom.contains("@") && directory.isLocalDomain(Address.domainOf(envelopeFrom)) ? Address.domainOf(envelopeFrom) : null;
    }

    /** The DKIM-Signature fields for {@code file} with {@code header}, CRLF-separated; empty when it is not ours to sign. */
    String sign(Path file, List<HeaderField> header, String envelopeFrom) throws IOException {
        return sign(file, signingDomain(header, envelopeFrom));
    }

    private String sign(Path file, String domain) throws IOException {
        if (domain == null) {
            return "";
        }
        try (InputStream in = Files.newInputStream(file)) {
            return String.join("\r\n", signer.sign(in, domain));
        }
    }

    /** The signature fields as the bytes sent before the message. */
    static byte[] prefix(String signatures) {
        return signatures.isEmpty() ? new byte[0] : (signatures + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The 7-bit form of a queued message for a server without 8BITMIME (RFC 6152 §3), in a spool file the
     * attempt deletes. It is converted first and then signed: the queued signatures cover the 8-bit original and
     * would fail on the converted body, so a fresh signature over exactly what is sent replaces them.
     */
    SmtpDelivery.Message sevenBit(Path file, String from, boolean signed, boolean smtputf8) throws IOException {
        Path converted = store.newSpoolFile();
        try {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
                 OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(converted))) {
                SevenBit.convert(in, out, converted.getParent());
            }
            String signatures = "";
            if (signed) {
                List<HeaderField> header;
                try (InputStream in = new BufferedInputStream(Files.newInputStream(converted))) {
                    header = HeaderField.readHeader(in);
                }
                signatures = sign(converted, signingDomain(header, from));
            }
            return new SmtpDelivery.Message(from, converted, Files.size(converted), prefix(signatures), false, smtputf8, null);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(converted);
            throw e;
        }
    }

    static boolean isAscii(String s) {
        return s.chars().allMatch(ch -> ch < 0x80);
    }

    /** Whether the file has any byte above 127; true when it cannot be read. */
    static boolean has8bit(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] < 0) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return true; // unknown: claim 8BITMIME rather than send 8-bit data unannounced
        }
    }
}
