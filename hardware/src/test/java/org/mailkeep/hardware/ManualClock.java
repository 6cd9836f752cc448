package org.mailkeep.hardware;

import java.time.Instant;
import java.time.InstantSource;

/** A clock the test moves by hand, so the panel's timing is checked exactly, without sleeping. */
final class ManualClock implements InstantSource {

    private long millis = 1_000_000;

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
        return millis;
    }

    void advance(long delta) {
        millis += delta;
    }
}
