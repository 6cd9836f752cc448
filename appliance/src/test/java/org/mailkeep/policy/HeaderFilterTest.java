package org.mailkeep.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.checks.AuthenticationResults;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HeaderFilterTest {

    @TempDir
    Path dir;

    @Test
    void removesFoldedForgedFieldsAndKeepsTheBodyByteForByte() throws Exception {
        String body = "Authentication-Results: mail.example.test; this line is body text, not a header\r\n\r\nend\r\n";
        Path file = dir.resolve("m.eml");
        Files.writeString(file, "Received: from x\r\n\tby y\r\nAuthentication-Results:\r\n  (comment) MAIL.example.test;\r\n  spf=pass\r\n"
                + "Authentication-Results: other.example; dkim=pass\r\nX-Spam-Flag: NO\r\nSubject: hi\r\n\r\n" + body);
        int removed = HeaderFilter.strip(file, n -> n.equals("authentication-results") || n.equals("x-spam-flag"),
                (name, value) -> !name.equals("authentication-results") || AuthenticationResults.authServIdOf(value).equals("mail.example.test"));
        assertThat(removed).isEqualTo(2);
        assertThat(Files.readString(file)).isEqualTo("Received: from x\r\n\tby y\r\nAuthentication-Results: other.example; dkim=pass\r\n"
                + "Subject: hi\r\n\r\n" + body);
        assertThat(HeaderFilter.strip(file, n -> n.equals("x-spam-flag"), (n, v) -> true)).isZero();
    }
}
