package org.mailkeep.setup;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;
import org.mailkeep.box.ButtonEvents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Claiming the box by physical presence (issue 7 step 1, as a Hue bridge pairs): a client asks to claim, then
 * someone presses the box's button within {@link #WINDOW}; that client then receives a one-time claim value that
 * POST /api/setup takes in place of the setup token. A press confirms only a wait started before it, within its
 * window, and the claim it yields is shown to and accepted from only the client (IP address) that started that
 * wait, for {@link #CLAIM_LIFETIME}. One wait or unspent claim at a time: another client can neither start a wait
 * while one runs nor restart the wait once the owner's press confirmed it (which would leave the owner's page
 * waiting, and the owner's next press confirming the other client's claim). Nothing but a real
 * {@link ButtonEvents.PresenceConfirmed} (a short press before setup) confirms a wait.
 */
@ApplicationScoped
public class ButtonClaim {

    private static final Logger LOG = Logger.getLogger(ButtonClaim.class);
    public static final Duration WINDOW = Duration.ofSeconds(60);
    /** How long a confirmed claim stays usable (and blocks other clients' waits) before it lapses. */
    public static final Duration CLAIM_LIFETIME = Duration.ofMinutes(10);

    public enum State { UNCLAIMED, WAITING, CLAIMED }

    /** What GET /api/setup/claim shows a client: {@code claim} only to the client whose wait the button confirmed. */
    public record View(String state, String waitingUntil, String claim) {
        public static View of(State state, Instant waitingUntil, String claim) {
            return new View(state.name().toLowerCase(java.util.Locale.ROOT), waitingUntil == null ? null : waitingUntil.toString(), claim);
        }
    }

    private final Clock clock;
    private Instant waitingSince;
    private Instant waitingUntil;
    private String client;
    private String claim;
    private Instant claimedUntil;

    public ButtonClaim() {
        this(Clock.systemUTC());
    }

    ButtonClaim(Clock clock) {
        this.clock = clock;
    }

    /**
     * Starts (or, for the same client, restarts) a wait; empty when another client's wait is still running or
     * another client holds a confirmed claim that has not lapsed.
     */
    public synchronized java.util.Optional<Instant> start(String client) {
        Instant now = clock.instant();
        boolean othersWait = claim == null && waitingUntil != null && now.isBefore(waitingUntil);
        boolean othersClaim = claim != null && now.isBefore(claimedUntil);
        if ((othersWait || othersClaim) && !client.equals(this.client)) {
            return java.util.Optional.empty();
        }
        this.client = client;
        this.claimedUntil = null;
        this.claim = null;
        this.waitingSince = now;
        this.waitingUntil = now.plus(WINDOW);
        LOG.infof("claim by button requested from %s: waiting for a press until %s", client, waitingUntil);
        return java.util.Optional.of(waitingUntil);
    }

    /** The button was pressed at the box (fired by health.StatusLeds before setup only). */
    void pressed(@ObservesAsync ButtonEvents.PresenceConfirmed event) {
        confirm(event.at());
    }

    synchronized void confirm(Instant at) {
        if (waitingSince != null && claim == null && !at.isBefore(waitingSince) && !at.isAfter(waitingUntil)) {
            claim = SetupService.newToken();
            claimedUntil = at.plus(CLAIM_LIFETIME);
            LOG.infof("claim by button confirmed for %s", client);
        }
    }

    public synchronized View view(String client) {
        if (claim != null && clock.instant().isBefore(claimedUntil)) {
            return View.of(State.CLAIMED, waitingUntil, client.equals(this.client) ? claim : null);
        }
        if (waitingUntil != null && clock.instant().isBefore(waitingUntil)) {
            return View.of(State.WAITING, waitingUntil, null);
        }
        return View.of(State.UNCLAIMED, null, null);
    }

    /** Whether {@code presented} is the unexpired claim and {@code client} the one that started its wait (constant-time compare). */
    public synchronized boolean matches(String presented, String client) {
        boolean live = claim != null && clock.instant().isBefore(claimedUntil);
        return SetupService.sameSecret(live ? claim : null, presented) & client.equals(this.client);
    }

    /** Spends the claim (single use): called once setup has completed with it. */
    public synchronized void used() {
        claim = null;
        claimedUntil = null;
        waitingSince = null;
        waitingUntil = null;
        client = null;
    }
}
