package org.mailkeep.admin;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
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
    void blocksAClientAfterTooManyFailuresUntilTheWindowPasses() {
        ManualClock clock = new ManualClock();
        LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(10), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.retryAfterSeconds("192.0.2.1")).isZero();
            throttle.failed("192.0.2.1");
            clock.now = clock.now.plusSeconds(60);
        }
        // failures at 0, 60 and 120 s; now 180 s: the first leaves the window at 600 s
        assertThat(throttle.retryAfterSeconds("192.0.2.1")).isEqualTo(420);
        assertThat(throttle.retryAfterSeconds("192.0.2.2")).as("other clients are not affected").isZero();
        clock.now = clock.now.plusSeconds(420);
        assertThat(throttle.retryAfterSeconds("192.0.2.1")).isZero();
    }

    @Test
    void successForgetsTheFailures() {
        LoginThrottle throttle = new LoginThrottle(2, Duration.ofMinutes(10), new ManualClock());
        throttle.failed("192.0.2.1");
        throttle.succeeded("192.0.2.1");
        throttle.failed("192.0.2.1");
        assertThat(throttle.retryAfterSeconds("192.0.2.1")).isZero();
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() {
        // issue 15: a client rotating addresses inside its /64 is one client; IPv4 stays by full address
        LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(10), new ManualClock());
        for (int i = 1; i <= 3; i++) {
            throttle.failed("2001:db8:1:2::" + Integer.toHexString(i));
        }
        assertThat(throttle.retryAfterSeconds("2001:db8:1:2:ffff::99")).isPositive();
        assertThat(throttle.retryAfterSeconds("2001:db8:1:3::1")).as("the next /64").isZero();
        for (int i = 1; i <= 3; i++) {
            throttle.failed("192.0.2." + i);
        }
        assertThat(throttle.retryAfterSeconds("192.0.2.4")).isZero();
    }
}
