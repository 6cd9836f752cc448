package org.mailkeep.hardware;

/** What a press of the button meant, decided by how long it was held (measured when it is released). */
public enum Press {
    /** Released before 5 s: the LEDs blink the status code; during first boot it confirms physical presence. */
    SHORT,
    /** Held 5 s to 10 s: back up now. */
    BACKUP,
    /** Held 10 s or longer: shut down safely. */
    SHUTDOWN;

    public static final long BACKUP_HOLD_MILLIS = 5_000;
    public static final long SHUTDOWN_HOLD_MILLIS = 10_000;

    static Press forHold(long heldMillis) {
        if (heldMillis >= SHUTDOWN_HOLD_MILLIS) {
            return SHUTDOWN;
        }
        return heldMillis >= BACKUP_HOLD_MILLIS ? BACKUP : SHORT;
    }
}
