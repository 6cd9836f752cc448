package org.mailkeep.box;

import java.time.Instant;

/**
 * The CDI events the box's button raises (observe them with {@code @Observes} or {@code @ObservesAsync}).
 * hardware/README.md tells the user what each press does.
 */
public final class ButtonEvents {

    private ButtonEvents() {
    }

    /** Held 5 s: the owner asks for a backup now. Fired asynchronously; the backup feature starts one. */
    public record BackupNowRequested(Instant at) {
    }

    /**
     * Held 10 s: the owner asks for a safe shutdown. Fired synchronously before the appliance stops, so
     * observers can finish or refuse new work; then the appliance exits with the power-off exit code (health.StatusLeds).
     */
    public record ShutdownRequested(Instant at) {
    }

    /** A short press while the box waits for setup: someone is physically at the box (claiming needs this). */
    public record PresenceConfirmed(Instant at) {
    }
}
