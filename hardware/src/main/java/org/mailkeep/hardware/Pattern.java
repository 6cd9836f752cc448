package org.mailkeep.hardware;

import java.util.Locale;

/**
 * How one LED lights over time. {@link #level(long)} is a pure function of the time since the pattern
 * started, so the timing is testable with any clock and every LED showing the same pattern is in phase.
 */
public enum Pattern {
    OFF(1000),
    STEADY(1000),
    /** 1 s on, 1 s off. */
    SLOW_BLINK(2000),
    /** 4 Hz: 125 ms on, 125 ms off. */
    FAST_BLINK(250),
    /** Two short beats (100 ms, 150 ms apart) every 1.5 s: the box is alive; a hung box stops beating. */
    HEARTBEAT(1500),
    /** Brightness rises and falls over 3 s (PWM); on an on/off LED it is on for the brighter half. */
    BREATHING(3000);

    /** Length of one cycle in milliseconds. */
    public final long periodMillis;

    Pattern(long periodMillis) {
        this.periodMillis = periodMillis;
    }

    /** Brightness 0..1 at {@code millis} after the pattern started. */
    public double level(long millis) {
        long t = Math.floorMod(millis, periodMillis);
        return switch (this) {
            case OFF -> 0;
            case STEADY -> 1;
            case SLOW_BLINK, FAST_BLINK -> t < periodMillis / 2 ? 1 : 0;
            case HEARTBEAT -> t < 100 || (t >= 250 && t < 350) ? 1 : 0;
            // raised cosine: 0 at the start of the cycle, 1 in the middle
            case BREATHING -> (1 - Math.cos(2 * Math.PI * t / periodMillis)) / 2;
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
