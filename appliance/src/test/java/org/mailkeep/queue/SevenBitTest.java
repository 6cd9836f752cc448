package org.mailkeep.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The RFC 6152 downgrade on its own: what is re-encoded how, what stays, and that no temporary part is left behind. */
class SevenBitTest {

    @TempDir
    Path work;

    String convert(String message) throws Exception {
        return convert(message.getBytes(StandardCharsets.UTF_8));
    }

    String convert(byte[] message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SevenBit.convert(new ByteArrayInputStream(message), out, work);
        byte[] bytes = out.toByteArray();
        for (byte b : bytes) {
            assertThat(b).isGreaterThanOrEqualTo((byte) 0);
        }
        try (var left = Files.list(work)) {
            assertThat(left.toList()).isEmpty();
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void aMessageWithoutMimeBecomesQuotedPrintableMime() throws Exception {
        String out = convert("From: a@example.test\r\nSubject: plain\r\n\r\nÄpfel und Birnen\r\n");
        assertThat(out).startsWith("From: a@example.test\r\nSubject: plain\r\n").contains("Content-Transfer-Encoding: quoted-printable\r\n")
                .contains("MIME-Version: 1.0\r\n").contains("=C3=84pfel und Birnen");
    }

    @Test
    void eightBitNonTextBecomesBase64AndSevenBitPartsStayAsTheyAre() throws Exception {
        byte[] data = {(byte) 0xff, 0x00, (byte) 0x80, 'x', '\r', '\n'};
        String message = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n"
                + "--xx\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nplain ascii text\r\n"
                + "--xx\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write(message.getBytes(StandardCharsets.US_ASCII));
        in.write(data);
        in.write("--xx--\r\n".getBytes(StandardCharsets.US_ASCII));
        String out = convert(in.toByteArray());
        assertThat(out).contains("--xx\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nplain ascii text\r\n--xx")
                .contains("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n");
        String encoded = out.substring(out.indexOf("base64\r\n\r\n") + 10, out.indexOf("\r\n--xx--"));
        // the CRLF before the delimiter belongs to the delimiter (RFC 2046 §5.1.1), so the part's data ends at "x"
        assertThat(Base64.getMimeDecoder().decode(encoded)).containsExactly((byte) 0xff, 0x00, (byte) 0x80, 'x');
    }

    @Test
    void anUnparsableHeaderIsUnconvertible() {
        byte[] endless = ("Subject: " + "x".repeat(70_000) + "\r\n\r\nbody ü\r\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SevenBit.convert(new ByteArrayInputStream(endless), new ByteArrayOutputStream(), work))
                .isInstanceOf(SevenBit.Unconvertible.class);
    }
}
