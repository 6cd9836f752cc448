package org.mailkeep.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaslExchangeTest {

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static SaslExchange start(String mechanism) {
        return SaslExchange.start(mechanism).orElseThrow();
    }

    @Test
    void plainWithAndWithoutInitialResponse() {
        assertThat(start("plain").begin(base64("\0alice@example.test\0pässword")))
                .isEqualTo(new SaslExchange.Credentials("alice@example.test", "pässword"));
        SaslExchange exchange = start("PLAIN");
        assertThat(exchange.begin(null)).isEqualTo(new SaslExchange.Challenge(""));
        assertThat(exchange.respond(base64("alice@example.test\0alice@example.test\0pw")))
                .isEqualTo(new SaslExchange.Credentials("alice@example.test", "pw"));
        assertThatThrownBy(() -> exchange.respond("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void loginAsksForTheUserNameThenThePassword() {
        SaslExchange exchange = start("LOGIN");
        assertThat(exchange.begin(null)).isEqualTo(new SaslExchange.Challenge("VXNlcm5hbWU6")); // "Username:"
        assertThat(exchange.respond(base64("bob@example.test"))).isEqualTo(new SaslExchange.Challenge("UGFzc3dvcmQ6")); // "Password:"
        assertThat(exchange.respond(base64("secret"))).isEqualTo(new SaslExchange.Credentials("bob@example.test", "secret"));
        // an initial response is the user name
        SaslExchange withInitial = start("login");
        assertThat(withInitial.begin(base64("bob@example.test"))).isEqualTo(new SaslExchange.Challenge("UGFzc3dvcmQ6"));
        assertThat(withInitial.respond("=")).isEqualTo(new SaslExchange.Credentials("bob@example.test", ""));
    }

    @Test
    void badResponsesEndTheExchangeWithAReason() {
        assertThat(SaslExchange.start("CRAM-MD5")).isEmpty();
        assertThat(start("PLAIN").begin("*")).isEqualTo(new SaslExchange.Failure(SaslExchange.Reason.CANCELLED));
        SaslExchange login = start("LOGIN");
        login.begin(null);
        assertThat(login.respond("*")).isEqualTo(new SaslExchange.Failure(SaslExchange.Reason.CANCELLED));
        assertThat(start("PLAIN").begin("not base64!")).isEqualTo(new SaslExchange.Failure(SaslExchange.Reason.NOT_BASE64));
        assertThat(start("PLAIN").begin("=")).isEqualTo(new SaslExchange.Failure(SaslExchange.Reason.MALFORMED));
        assertThat(start("PLAIN").begin(base64("a\0b\0c\0d"))).isEqualTo(new SaslExchange.Failure(SaslExchange.Reason.MALFORMED));
        assertThat(start("PLAIN").begin(base64("admin@example.test\0bob@example.test\0secret")))
                .isEqualTo(new SaslExchange.Failure(SaslExchange.Reason.AUTHORIZATION_DENIED));
    }
}
