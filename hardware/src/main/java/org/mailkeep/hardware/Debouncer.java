package org.mailkeep.hardware;

import java.util.Optional;

/**
 * Turns samples of the button's contact into presses. A level counts only after it has been stable for the
 * debounce time (mechanical contacts bounce for a few milliseconds), and a press's length is measured from
 * the stable press to the stable release. Pure: the caller passes the sample time.
 *
 * <p>It starts disarmed, as if the button were held: only after the contact has been seen released does a
 * press count. A button stuck (or a pin floating) at "pressed" from power-on therefore never shuts the box down.
 */
final class Debouncer {

    private final long debounceMillis;
    private boolean stable = true;
    private boolean candidate = true;
    private boolean armed;
    private long candidateSince;
    private long pressedAt;

    Debouncer(long debounceMillis) {
        this.debounceMillis = debounceMillis;
    }

    /** Feeds one sample; returns the press that a stable release completed, if any. */
    Optional<Press> sample(boolean pressed, long nowMillis) {
        if (pressed != candidate) {
            candidate = pressed;
            candidateSince = nowMillis;
        }
        if (candidate == stable || nowMillis - candidateSince < debounceMillis) {
            return Optional.empty();
        }
        stable = candidate;
        if (stable) {
            pressedAt = candidateSince;
            return Optional.empty();
        }
        if (!armed) {
            armed = true;
            return Optional.empty();
        }
        return Optional.of(Press.forHold(candidateSince - pressedAt));
    }

    /** How long the button has been held (stable) at {@code nowMillis}; 0 when it is not pressed. */
    long heldMillis(long nowMillis) {
        return stable && armed ? nowMillis - pressedAt : 0;
    }
}
