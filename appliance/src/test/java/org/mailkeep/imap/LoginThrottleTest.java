package org.mailkeep.imap;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2024-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void failuresSlowDownThenLockPerIpAndPerAccount() {
        ManualClock clock = new ManualClock();
        LoginThrottle throttle = new LoginThrottle(3, clock);
        assertThat(throttle.failed("10.0.0.1", "alice@x.test")).isEqualTo(250);
        assertThat(throttle.failed("10.0.0.2", "alice@x.test")).isEqualTo(500);
        assertThat(throttle.locked("10.0.0.3", "alice@x.test")).isFalse();
        assertThat(throttle.failed("10.0.0.3", "ALICE@x.test")).isEqualTo(1000);
        assertThat(throttle.locked("10.0.0.9", "alice@x.test")).isTrue(); // the account, from any address
        assertThat(throttle.locked("10.0.0.1", "bob@x.test")).isFalse();
        clock.now = clock.now.plus(Duration.ofMinutes(16));
        assertThat(throttle.locked("10.0.0.9", "alice@x.test")).isFalse();
        for (int i = 0; i < 3; i++) {
            throttle.failed("10.0.0.5", "user" + i + "@x.test");
        }
        assertThat(throttle.locked("10.0.0.5", "carol@x.test")).isTrue(); // the address, for any account
    }

    @Test
    void credentialCacheExpiresAndComparesPasswords() {
        ManualClock clock = new ManualClock();
        CredentialCache cache = new CredentialCache(60_000, clock);
        cache.remember("Alice@x.test", "secret");
        assertThat(cache.verified("alice@x.test", "secret")).isTrue();
        assertThat(cache.verified("alice@x.test", "other")).isFalse();
        clock.now = clock.now.plusSeconds(61);
        assertThat(cache.verified("alice@x.test", "secret")).isFalse();
    }
}
