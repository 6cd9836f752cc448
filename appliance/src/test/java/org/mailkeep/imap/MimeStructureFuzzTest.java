package org.mailkeep.imap;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link MimeStructure} (the MIME tree with byte offsets, mime4j for the header fields) with any stored
 * message: mail arrives from anyone. There is no bad-input exception (a message in memory cannot fail to be read).
 * Checked: the offsets of every part lie inside its parent and after its previous sibling, nesting stays within
 * {@link MimeStructure#MAX_DEPTH}, and ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2) are well-formed response
 * data: they read back with {@link ImapEncoding#parseList} (the structure cache does exactly that), with the
 * header values unchanged — a CR, LF or quote in a header can never break out of its string.
 */
class MimeStructureFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void structure(byte[] message) throws IOException {
        MimeStructure.Part root = MimeStructure.parse(new ByteArrayInputStream(message));
        assertThat(root.headerStart).isZero();
        assertThat(root.end).isEqualTo(message.length);
        check(root, 0, message.length, 0);

        List<Object> envelope = ImapEncoding.parseList(MimeStructure.envelope(root));
        assertThat(envelope).hasSize(10);
        assertThat(envelope.get(0)).isEqualTo(root.field("Date"));
        assertThat(envelope.get(1)).isEqualTo(root.field("Subject"));
        assertThat(envelope.get(9)).isEqualTo(root.field("Message-ID"));
        ImapEncoding.parseList(MimeStructure.bodyStructure(root, true));
        ImapEncoding.parseList(MimeStructure.bodyStructure(root, false));

        MimeStructure.Part header = MimeStructure.parseHeader(new ByteArrayInputStream(message));
        assertThat(header.header).isEqualTo(root.header);
    }

    private static void check(MimeStructure.Part part, long from, long to, int depth) {
        assertThat(depth).isLessThanOrEqualTo(MimeStructure.MAX_DEPTH + 1);
        assertThat(part.headerStart).as("header start").isBetween(from, to);
        assertThat(part.bodyStart).as("body start").isBetween(part.headerStart, to);
        assertThat(part.end).as("end").isBetween(part.bodyStart, to);
        assertThat(part.bodyLines).isNotNegative();
        long previous = part.bodyStart;
        for (MimeStructure.Part child : part.children) {
            check(child, previous, part.end, depth + 1);
            previous = child.end;
        }
        if (part.message != null) {
            check(part.message, part.bodyStart, part.end, depth + 1);
        }
        for (int i = 1; i <= part.children.size(); i++) {
            assertThat(MimeStructure.resolve(part, new int[] {i})).isSameAs(part.children.get(i - 1));
        }
    }
}
