package org.mailkeep.imap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModifiedUtf7Test {

    @Test
    void encodesTheExamplesOfRfc3501() {
        // RFC 3501 §5.1.3: "~peter/mail/台北/日本語" and the German "Entwürfe" Thunderbird creates
        assertThat(ModifiedUtf7.encode("~peter/mail/台北/日本語")).isEqualTo("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assertThat(ModifiedUtf7.encode("Entwürfe")).isEqualTo("Entw&APw-rfe");
        assertThat(ModifiedUtf7.encode("Tom & Jerry")).isEqualTo("Tom &- Jerry");
        assertThat(ModifiedUtf7.encode("INBOX/Sent")).isEqualTo("INBOX/Sent");
        assertThat(ModifiedUtf7.encode("Smile 😀")).isEqualTo("Smile &2D3eAA-");
    }

    @Test
    void decodesAndRoundTrips() {
        assertThat(ModifiedUtf7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-")).isEqualTo("~peter/mail/台北/日本語");
        assertThat(ModifiedUtf7.decode("Entw&APw-rfe")).isEqualTo("Entwürfe");
        assertThat(ModifiedUtf7.decode("Tom &- Jerry")).isEqualTo("Tom & Jerry");
        for (String name : new String[] {"Привет/мир", "a&b", "Smile 😀", "日本語&", "plain"}) {
            assertThat(ModifiedUtf7.decode(ModifiedUtf7.encode(name))).isEqualTo(name);
        }
    }

    @Test
    void refusesWhatTheRfcForbids() {
        assertThatThrownBy(() -> ModifiedUtf7.decode("Entw&APw")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> ModifiedUtf7.decode("&AGE-")).hasMessageContaining("printable ASCII"); // "a" must be direct
        assertThatThrownBy(() -> ModifiedUtf7.decode("&U,BTFw-&ZeVnLIqe-")).hasMessageContaining("adjacent");
        assertThatThrownBy(() -> ModifiedUtf7.decode("&A!-")).hasMessageContaining("invalid");
        assertThatThrownBy(() -> ModifiedUtf7.decode("&APx-")).hasMessageContaining("invalid"); // leftover bits
    }
}
