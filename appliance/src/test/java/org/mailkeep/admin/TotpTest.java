package org.mailkeep.admin;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TotpTest {

    /** RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890". */
    static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void rfc6238TestVectorsTruncatedToSixDigits() {
        // Appendix B lists 8-digit values; the 6-digit code is the same number modulo 10^6 (RFC 4226 §5.3)
        assertThat(Totp.code(SEED, 59)).isEqualTo("287082");          // 94287082
        assertThat(Totp.code(SEED, 1111111109)).isEqualTo("081804");  // 07081804
        assertThat(Totp.code(SEED, 1111111111)).isEqualTo("050471");  // 14050471
        assertThat(Totp.code(SEED, 1234567890)).isEqualTo("005924");  // 89005924
        assertThat(Totp.code(SEED, 2000000000)).isEqualTo("279037");  // 69279037
    }

    @Test
    void rfc4226HotpVectors() {
        // RFC 4226 Appendix D, counters 0 and 9
        assertThat(Totp.hotp(SEED, 0)).isEqualTo(755224);
        assertThat(Totp.hotp(SEED, 9)).isEqualTo(520489);
    }

    @Test
    void acceptsOneStepOfDriftAndNoMore() {
        long now = 1_700_000_000L;
        assertThat(Totp.matchingStep(SEED, Totp.code(SEED, now), now)).isEqualTo(Totp.step(now));
        assertThat(Totp.matchingStep(SEED, Totp.code(SEED, now - 30), now)).isEqualTo(Totp.step(now) - 1);
        assertThat(Totp.matchingStep(SEED, Totp.code(SEED, now + 30), now)).isEqualTo(Totp.step(now) + 1);
        assertThat(Totp.matchingStep(SEED, Totp.code(SEED, now - 90), now)).isEqualTo(-1);
        assertThat(Totp.matchingStep(SEED, "12345", now)).isEqualTo(-1);
        assertThat(Totp.matchingStep(SEED, null, now)).isEqualTo(-1);
    }

    @Test
    void base32RoundTripsAndMatchesRfc4648() {
        // RFC 4648 §10 (without padding)
        assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
        assertThat(Totp.fromBase32("mzxw 6ytb oi")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
        byte[] secret = Totp.newSecret();
        assertThat(Totp.fromBase32(Totp.base32(secret))).isEqualTo(secret);
    }

    @Test
    void otpauthUriCarriesIssuerAccountAndSecret() {
        assertThat(Totp.uri("MailKeep", "admin@mail.example.test", SEED))
                .isEqualTo("otpauth://totp/MailKeep%3Aadmin%40mail.example.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                        + "&issuer=MailKeep&algorithm=SHA1&digits=6&period=30");
    }
}
