package org.mailkeep.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds real RFC 5322/MIME messages and zip archives for the policy tests. */
public final class TestMessages {

    /** The EICAR anti-virus test file (eicar.org), the 68-byte standard form. */
    public static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    private TestMessages() {
    }

    /** A plain text message; {@code extraHeaders} are full lines. CRLF line ends. */
    public static String plain(String from, String to, String subject, String body, String... extraHeaders) {
        StringBuilder sb = new StringBuilder();
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        sb.append("From: ").append(from).append("\r\n")
                .append("To: ").append(to).append("\r\n")
                .append("Subject: ").append(subject).append("\r\n")
                .append("Date: Sun, 29 Nov 2026 14:00:00 +0000\r\n")
                .append("Message-ID: <").append(System.nanoTime()).append("@test>\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n\r\n")
                .append(body.replace("\n", "\r\n")).append("\r\n");
        return sb.toString();
    }

    /** A multipart/mixed message with a text part and one base64-encoded attachment. */
    public static String withAttachment(String from, String to, String subject, String filename, String contentType, byte[] content) {
        String boundary = "=_b" + System.nanoTime();
        String encoded = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(content);
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: Sun, 29 Nov 2026 14:00:00 +0000\r\n"
                + "Message-ID: <" + System.nanoTime() + "@test>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n"
                + "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease see the attachment.\r\n"
                + "--" + boundary + "\r\nContent-Type: " + contentType + "; name=\"" + filename + "\"\r\n"
                + "Content-Disposition: attachment; filename=\"" + filename + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + encoded + "\r\n--" + boundary + "--\r\n";
    }

    /** A zip archive of (name, content) pairs. */
    public static byte[] zip(Object... nameContentPairs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < nameContentPairs.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) nameContentPairs[i]));
                Object content = nameContentPairs[i + 1];
                zip.write(content instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1) : (byte[]) content);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A zip holding one entry of {@code size} zero bytes: compresses about 1000:1 (a zip bomb in miniature). */
    public static byte[] zipOfZeros(String name, long size) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < size; written += zeros.length) {
                zip.write(zeros, 0, (int) Math.min(zeros.length, size - written));
            }
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Path write(Path dir, String message) {
        try {
            Path file = Files.createTempFile(dir, "msg", ".eml");
            Files.writeString(file, message, StandardCharsets.ISO_8859_1);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
