package org.mailkeep.imap;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MimeStructureTest {

    static MimeStructure.Part parse(String message) throws Exception {
        return MimeStructure.parse(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
    }

    static String slice(String message, long from, long to) {
        return new String(message.getBytes(StandardCharsets.UTF_8), (int) from, (int) (to - from), StandardCharsets.UTF_8);
    }

    @Test
    void partsHaveExactOffsetsAndLineCounts() throws Exception {
        String message = TestMessages.message(2);
        MimeStructure.Part root = parse(message);
        assertThat(root.isMultipart()).isTrue();
        assertThat(root.children).hasSize(2);
        MimeStructure.Part text = MimeStructure.resolve(root, new int[] {1});
        assertThat(slice(message, text.bodyStart, text.end)).isEqualTo("See the attached report 2.");
        assertThat(text.bodyLines).isEqualTo(1);
        MimeStructure.Part attachment = MimeStructure.resolve(root, new int[] {2});
        assertThat(slice(message, attachment.headerStart, attachment.bodyStart)).startsWith("Content-Type: application/pdf").endsWith("\r\n\r\n");
        assertThat(slice(message, attachment.bodyStart, attachment.end)).doesNotContain("--mix2").endsWith("=");
        assertThat(MimeStructure.resolve(root, new int[] {3})).isNull();
    }

    @Test
    void nestedMessagesAndEnvelope() throws Exception {
        String message = TestMessages.message(3);
        MimeStructure.Part root = parse(message);
        MimeStructure.Part forwarded = MimeStructure.resolve(root, new int[] {2});
        assertThat(forwarded.isMessage()).isTrue();
        assertThat(forwarded.message.field("Subject")).isEqualTo("original 3");
        MimeStructure.Part inner = MimeStructure.resolve(root, new int[] {2, 1});
        assertThat(slice(message, inner.bodyStart, inner.end)).isEqualTo("Original body 3");
        assertThat(MimeStructure.envelope(root)).startsWith("(\"Mon, 4 Jan 2024 10:03:00 +0000\" \"Fwd: forwarded 3\" ((\"Bob Sender\" NIL \"bob\" \"example.net\"))");
        assertThat(MimeStructure.bodyStructure(root, false)).isEqualTo("((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 16 1)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 63 "
                + "(NIL \"original 3\" ((NIL NIL \"carol\" \"example.org\")) ((NIL NIL \"carol\" \"example.org\")) ((NIL NIL \"carol\" \"example.org\")) NIL NIL NIL NIL NIL) "
                + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 15 1) 4) \"MIXED\")");
    }

    @Test
    void groupsAndMissingHeaders() throws Exception {
        MimeStructure.Part root = parse("To: friends: a@x.test, b@y.test;\r\n\r\nbody");
        assertThat(MimeStructure.envelope(root)).isEqualTo("(NIL NIL NIL NIL NIL ((NIL NIL \"friends\" NIL)(NIL NIL \"a\" \"x.test\")(NIL NIL \"b\" \"y.test\")"
                + "(NIL NIL NIL NIL)) NIL NIL NIL NIL)");
        assertThat(MimeStructure.bodyStructure(root, true)).isEqualTo("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 4 1 NIL NIL NIL NIL)");
    }

    @Test
    void unterminatedMultipartEndsAtEndOfFile() throws Exception {
        MimeStructure.Part root = parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\npart one\r\n--b\r\n\r\ntruncated");
        assertThat(root.children).hasSize(2);
        assertThat(root.children.get(1).end).isEqualTo(root.end);
    }
}
