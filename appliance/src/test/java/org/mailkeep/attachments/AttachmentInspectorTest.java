package org.mailkeep.attachments;

import org.junit.jupiter.api.Test;
import org.mailkeep.testsupport.TestMessages;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AttachmentInspectorTest {

    final AttachmentInspector inspector = new AttachmentInspector(Set.of("exe", "js", "docm", "lnk"), 2, 5L << 20, 50);

    Optional<AttachmentInspector.Finding> inspect(String filename, String type, byte[] content) throws IOException {
        String message = TestMessages.withAttachment("a@example.org", "b@example.test", "files", filename, type, content);
        return inspector.inspect(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void harmlessAttachmentsPass() throws IOException {
        assertThat(inspect("notes.txt", "text/plain", "hello".getBytes())).isEmpty();
        assertThat(inspect("photos.zip", "application/zip", TestMessages.zip("a.jpg", "jpeg", "docs/b.pdf", "%PDF"))).isEmpty();
    }

    @Test
    void blockedNamesExecutablesAndMacros() throws IOException {
        assertThat(inspect("Invoice.EXE", "application/octet-stream", "x".getBytes())).get().extracting(AttachmentInspector.Finding::reason)
                .isEqualTo("file type .exe is not accepted");
        assertThat(inspect("invoice.pdf", "application/pdf", "MZ\u0090\u0000 this is a PE file".getBytes(StandardCharsets.ISO_8859_1)))
                .get().extracting(AttachmentInspector.Finding::reason).isEqualTo("Windows executable content");
        assertThat(inspect("report.docm", "application/vnd.ms-word.document.macroEnabled.12", "PK".getBytes())).isPresent();
        // a .docx renamed from .docm still holds its VBA project
        byte[] docx = TestMessages.zip("[Content_Types].xml", "<Types/>", "word/document.xml", "<w/>", "word/vbaProject.bin", "vba");
        assertThat(inspect("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx))
                .get().extracting(AttachmentInspector.Finding::reason).isEqualTo("Office document with macros");
    }

    @Test
    void archiveLimits() throws IOException {
        byte[] deep = TestMessages.zip("l2.zip", TestMessages.zip("l3.zip", TestMessages.zip("x.txt", "deep")));
        assertThat(inspect("l1.zip", "application/zip", deep)).get().extracting(AttachmentInspector.Finding::reason)
                .isEqualTo("archives nested more than 2 deep");
        Object[] many = new Object[120];
        for (int i = 0; i < many.length; i += 2) {
            many[i] = "f" + i + ".txt";
            many[i + 1] = "x";
        }
        assertThat(inspect("many.zip", "application/zip", TestMessages.zip(many))).get().extracting(AttachmentInspector.Finding::reason)
                .isEqualTo("archives hold more than 50 entries");
        assertThat(inspect("bomb.zip", "application/octet-stream", TestMessages.zipOfZeros("z", 6L << 20))).get()
                .extracting(AttachmentInspector.Finding::reason).asString().contains("zip bomb");
        assertThat(inspect("shortcut.zip", "application/zip", TestMessages.zip("dir/", "", "dir/open me.lnk", "x"))).get()
                .extracting(AttachmentInspector.Finding::path).isEqualTo("shortcut.zip > dir/open me.lnk");
    }

    @Test
    void attachedMessagesAreInspectedToo() throws IOException {
        String inner = TestMessages.withAttachment("c@example.org", "d@example.org", "inner", "run.js", "application/javascript", "alert(1)".getBytes());
        String outer = "From: a@example.org\r\nTo: b@example.test\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
                + "--outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n--outer--\r\n";
        assertThat(inspector.inspect(new ByteArrayInputStream(outer.getBytes(StandardCharsets.ISO_8859_1)))).get()
                .extracting(AttachmentInspector.Finding::path).isEqualTo("run.js");
    }
}
