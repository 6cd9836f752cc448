package org.mailkeep.setup;

import org.junit.jupiter.api.Test;
import org.mailkeep.testsupport.MutableClock;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ButtonClaimTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
    final ButtonClaim claim = new ButtonClaim(clock);

    @Test
    void aPressWithinTheWindowGivesTheWaitingClientAOneTimeClaim() {
        assertThat(claim.view("10.0.0.2").state()).isEqualTo("unclaimed");
        Instant until = claim.start("10.0.0.2").orElseThrow();
        assertThat(until).isEqualTo(clock.instant().plus(ButtonClaim.WINDOW));
        assertThat(claim.start("10.0.0.66")).isEmpty(); // one wait at a time
        assertThat(claim.view("10.0.0.2").state()).isEqualTo("waiting");
        clock.advance(Duration.ofSeconds(30));
        claim.confirm(clock.instant());
        ButtonClaim.View mine = claim.view("10.0.0.2");
        assertThat(mine.state()).isEqualTo("claimed");
        assertThat(mine.claim()).hasSize(23);
        assertThat(claim.view("10.0.0.66").claim()).isNull(); // another client sees the state, never the value
        assertThat(claim.matches("wrong", "10.0.0.2")).isFalse();
        assertThat(claim.matches(mine.claim(), "10.0.0.2")).isTrue();
        claim.used();
        assertThat(claim.matches(mine.claim(), "10.0.0.2")).isFalse(); // single use
    }

    @Test
    void aPressBeforeTheRequestOrAfterTheWindowConfirmsNothing() {
        Instant early = clock.instant();
        clock.advance(Duration.ofSeconds(1));
        claim.start("10.0.0.2");
        claim.confirm(early);
        assertThat(claim.view("10.0.0.2").state()).isEqualTo("waiting");
        clock.advance(ButtonClaim.WINDOW.plusSeconds(1));
        claim.confirm(clock.instant());
        assertThat(claim.view("10.0.0.2").state()).isEqualTo("unclaimed");
        assertThat(claim.start("10.0.0.66")).isPresent(); // the expired wait no longer blocks others
    }

    /**
     * The attack of issue 15: the owner starts a wait and presses; a LAN client that restarts the wait right after the press
     * must neither take the owner's confirmed claim away nor be able to use it, so the owner's next press cannot go to it.
     */
    @Test
    void anotherClientCannotRestartTheWaitOnceTheOwnersPressConfirmedIt() {
        claim.start("10.0.0.2");
        clock.advance(Duration.ofSeconds(5));
        claim.confirm(clock.instant());
        String owners = claim.view("10.0.0.2").claim();
        assertThat(owners).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(claim.start("10.0.0.66")).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        claim.confirm(clock.instant()); // the owner presses again, thinking the first press was lost
        assertThat(claim.view("10.0.0.66").claim()).isNull();
        assertThat(claim.view("10.0.0.2").claim()).isEqualTo(owners);
        assertThat(claim.matches(owners, "10.0.0.66")).isFalse(); // only the client that started the wait completes it
        assertThat(claim.matches(owners, "10.0.0.2")).isTrue();
        clock.advance(ButtonClaim.CLAIM_LIFETIME);
        assertThat(claim.matches(owners, "10.0.0.2")).isFalse(); // an unused claim lapses
        assertThat(claim.start("10.0.0.66")).isPresent();
    }
}
