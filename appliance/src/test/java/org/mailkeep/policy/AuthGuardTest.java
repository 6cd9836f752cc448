package org.mailkeep.policy;

import org.junit.jupiter.api.Test;
import org.mailkeep.dns.ZoneResolver;
import org.mailkeep.testsupport.MutableClock;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class AuthGuardTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
    final AuthGuard guard = new AuthGuard(clock, 5, Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofMinutes(10));
    final InetAddress attacker = ZoneResolver.ip("203.0.113.66");

    void fail(int times, InetAddress ip, String account) {
        for (int i = 0; i < times; i++) {
            assertThat(guard.check(ip, account).allowed()).isTrue();
            guard.failure(ip, account);
        }
    }

    @Test
    void bruteForceIsLockedOutWithGrowingBackoff() {
        fail(5, attacker, "bob@example.test");
        AuthGuard.Decision locked = guard.check(attacker, "someone-else@example.test");
        assertThat(locked.allowed()).isFalse();
        assertThat(locked.retryAfter()).isEqualTo(Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(61));
        fail(5, attacker, "carol@example.test");
        assertThat(guard.check(attacker, "x@example.test").retryAfter()).isEqualTo(Duration.ofMinutes(2));
        clock.advance(Duration.ofMinutes(2).plusSeconds(1));
        fail(5, attacker, "dave@example.test");
        assertThat(guard.check(attacker, "x@example.test").retryAfter()).isEqualTo(Duration.ofMinutes(4));
        clock.advance(Duration.ofMinutes(4).plusSeconds(1));
        fail(5, attacker, "erin@example.test");
        clock.advance(Duration.ofMinutes(8).plusSeconds(1));
        fail(5, attacker, "frank@example.test");
        assertThat(guard.check(attacker, "x@example.test").retryAfter()).isEqualTo(Duration.ofMinutes(10)); // capped
    }

    @Test
    void anAccountAttackedFromManyAddressesIsLockedToo() {
        for (int i = 1; i <= 5; i++) {
            fail(1, ZoneResolver.ip("198.51.100." + i), "bob@example.test");
        }
        assertThat(guard.check(ZoneResolver.ip("192.0.2.200"), "BOB@example.test").allowed()).isFalse();
        assertThat(guard.check(ZoneResolver.ip("192.0.2.200"), "carol@example.test").allowed()).isTrue();
    }

    @Test
    void successResetsTheCountAndOldFailuresExpire() {
        fail(4, attacker, "bob@example.test");
        guard.success(attacker, "bob@example.test");
        fail(4, attacker, "bob@example.test");
        assertThat(guard.check(attacker, "bob@example.test").allowed()).isTrue();
        clock.advance(Duration.ofMinutes(16));
        fail(4, attacker, "bob@example.test");
        assertThat(guard.check(attacker, "bob@example.test").allowed()).isTrue();
    }

    @Test
    void aStrangerCannotLockTheOwnerOutOfAKnownNetwork() {
        // issue 15: failing on purpose against a known mailbox locked it for everyone for up to 24 h
        InetAddress office = ZoneResolver.ip("192.0.2.10");
        guard.success(office, "bob@example.test");
        fail(5, ZoneResolver.ip("198.51.100.1"), "bob@example.test");
        assertThat(guard.check(ZoneResolver.ip("198.51.100.1"), "bob@example.test").allowed()).as("the stranger").isFalse();
        assertThat(guard.check(office, "BOB@example.test").allowed()).as("the owner at the office").isTrue();
        assertThat(guard.check(ZoneResolver.ip("203.0.113.9"), "bob@example.test").allowed())
                .as("a network bob never logged in from, during the attack").isFalse();
        assertThat(guard.check(ZoneResolver.ip("203.0.113.9"), "carol@example.test").allowed()).isTrue();
    }

    @Test
    void thePairIsLockedEvenOnAKnownNetwork() {
        InetAddress office = ZoneResolver.ip("192.0.2.10");
        guard.success(office, "bob@example.test");
        fail(5, office, "bob@example.test");
        assertThat(guard.check(office, "bob@example.test").allowed()).isFalse();
    }

    @Test
    void anIpv6ClientIsOneClientPerSlash64() {
        for (int i = 1; i <= 5; i++) {
            fail(1, ZoneResolver.ip("2001:db8:5:6::" + i), "user" + i + "@example.test");
        }
        assertThat(guard.check(ZoneResolver.ip("2001:db8:5:6:aaaa::1"), "other@example.test").allowed()).isFalse();
        assertThat(guard.check(ZoneResolver.ip("2001:db8:5:7::1"), "other@example.test").allowed()).isTrue();
    }
}
