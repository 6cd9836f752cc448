package org.mailkeep.hardware;

import java.util.List;
import java.util.Locale;

/** How the status LEDs are attached. */
public enum Wiring {
    /** Separate green, amber and red LEDs (plus an optional activity LED) on GPIO pins. */
    GPIO,
    /** One common-cathode (or, active-low, common-anode) RGB LED: red and green pins; amber lights both. */
    RGB,
    /** No LEDs wired: the Pi's own green ACT and red PWR LEDs through /sys/class/leds. */
    BOARD;

    /** Which logical LEDs each output of this wiring shows, most important first, keyed by output name. */
    List<Role> roles() {
        return switch (this) {
            case GPIO -> List.of(new Role("green", List.of(Led.GREEN)), new Role("amber", List.of(Led.AMBER)),
                    new Role("red", List.of(Led.RED)), new Role("activity", List.of(Led.ACTIVITY)));
            case RGB -> List.of(new Role("red", List.of(Led.RED, Led.AMBER)), new Role("green", List.of(Led.GREEN, Led.AMBER)),
                    new Role("activity", List.of(Led.ACTIVITY)));
            case BOARD -> List.of(new Role("act", List.of(Led.ACTIVITY, Led.GREEN, Led.AMBER)), new Role("pwr", List.of(Led.RED, Led.AMBER)));
        };
    }

    record Role(String output, List<Led> leds) {
    }

    public static Wiring parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("LED wiring must be gpio, rgb or board, not '" + value + "'", e);
        }
    }
}
