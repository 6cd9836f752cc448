package org.mailkeep.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.hardware.Activity;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What the box is doing right now, shown on the activity LED and in /api/status ({@code leds.activities}).
 * Features call it where the work happens:
 *
 * <pre>{@code
 * activities.pulse(Activities.MAIL_IN);          // SMTP accepted a message (shows for PULSE, then fades)
 * activities.pulse(Activities.MAIL_OUT);         // the queue delivered a message
 * activities.begin(Activities.BACKUP_RUNNING);   // a backup started ...
 * activities.end(Activities.BACKUP_RUNNING);     // ... and ended (in a finally block)
 * activities.begin(Activities.BACKUP_DONE_SAFE_TO_REMOVE);  // until the stick is unmounted/removed, then end(..)
 * }</pre>
 *
 * {@code begin}/{@code end} nest: an activity begun twice lasts until it has been ended twice. Unknown ids
 * are refused with an {@link IllegalArgumentException} (a typo must not pass silently). All methods are
 * cheap, non-blocking and thread-safe; a burst of pulses costs one LED update.
 */
@ApplicationScoped
public class Activities {

    public static final String MAIL_IN = "mail-in";
    public static final String MAIL_OUT = "mail-out";
    public static final String BACKUP_RUNNING = "backup-running";
    public static final String BACKUP_DONE_SAFE_TO_REMOVE = "backup-done-safe-to-remove";
    public static final String SHUTTING_DOWN = "shutting-down";

    /** How long one pulse keeps its activity shown (long enough to see at least one fast blink). */
    public static final Duration PULSE = Duration.ofMillis(1500);

    private final InstantSource clock;
    private final Map<Activity, Instant> pulsedUntil = new EnumMap<>(Activity.class);
    private final Map<Activity, Integer> running = new EnumMap<>(Activity.class);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private boolean expiryScheduled;

    @Inject
    public Activities() {
        this(InstantSource.system());
    }

    Activities(InstantSource clock) {
        this.clock = clock;
    }

    /** Shows {@code id} for {@link #PULSE} from now (extending a pulse still showing). */
    public void pulse(String id) {
        Activity activity = parse(id);
        boolean wasShown;
        synchronized (this) {
            wasShown = shown(activity, clock.instant());
            pulsedUntil.put(activity, clock.instant().plus(PULSE));
            scheduleExpiry(PULSE);
        }
        if (!wasShown) {
            changed();
        }
    }

    /** Shows {@code id} until a matching {@link #end(String)}. */
    public void begin(String id) {
        Activity activity = parse(id);
        synchronized (this) {
            running.merge(activity, 1, Integer::sum);
        }
        changed();
    }

    /** Ends one {@link #begin(String)} of {@code id}; an end without a begin is ignored. */
    public void end(String id) {
        Activity activity = parse(id);
        synchronized (this) {
            running.computeIfPresent(activity, (a, n) -> n > 1 ? n - 1 : null);
        }
        changed();
    }

    /** The activities shown at this moment. */
    public synchronized Set<Activity> current() {
        Instant now = clock.instant();
        Set<Activity> result = EnumSet.noneOf(Activity.class);
        for (Activity a : Activity.values()) {
            if (shown(a, now)) {
                result.add(a);
            }
        }
        return result;
    }

    /** Called (on the caller's or a timer thread) whenever the set of activities may have changed. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    private boolean shown(Activity a, Instant now) {
        Instant until = pulsedUntil.get(a);
        return running.containsKey(a) || (until != null && now.isBefore(until));
    }

    /** The earliest pulse's time is up: forget the ended pulses, tell the listeners, wait for the next to end. */
    private void expire() {
        Instant now = clock.instant();
        synchronized (this) {
            expiryScheduled = false;
            pulsedUntil.values().removeIf(until -> !now.isBefore(until));
            pulsedUntil.values().stream().min(Instant::compareTo).ifPresent(until -> scheduleExpiry(Duration.between(now, until)));
        }
        changed();
    }

    /** One timer at a time, whatever the rate of pulses: it re-arms itself for the next pulse to end. */
    private void scheduleExpiry(Duration delay) {
        if (!expiryScheduled) {
            expiryScheduled = true;
            CompletableFuture.delayedExecutor(delay.toMillis() + 10, TimeUnit.MILLISECONDS).execute(this::expire);
        }
    }

    private void changed() {
        listeners.forEach(Runnable::run);
    }

    private static Activity parse(String id) {
        return Activity.fromId(id).orElseThrow(() -> new IllegalArgumentException("unknown activity '" + id + "'; known: "
                + java.util.Arrays.stream(Activity.values()).map(Activity::id).toList()));
    }
}
