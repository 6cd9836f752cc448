package org.mailkeep.hardware;

import java.util.Locale;

/** The logical LEDs the box shows its state on; {@link Wiring} maps them to what is actually wired. */
public enum Led {
    GREEN, AMBER, RED, ACTIVITY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
