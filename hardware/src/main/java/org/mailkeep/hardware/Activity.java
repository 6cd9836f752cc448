package org.mailkeep.hardware;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Transient things the box is doing, shown on top of its {@link State}. */
public enum Activity {
    MAIL_IN, MAIL_OUT, BACKUP_RUNNING, BACKUP_DONE_SAFE_TO_REMOVE, SHUTTING_DOWN;

    /** The id used in the API and by callers: {@code mail-in}, {@code backup-done-safe-to-remove}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Activity> fromId(String id) {
        return Arrays.stream(values()).filter(a -> a.id().equals(id)).findFirst();
    }
}
