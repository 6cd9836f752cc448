package org.mailkeep.hardware;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The rules from health to light: which {@link Pattern} each logical {@link Led} shows for a state and the
 * activities under way. The table in hardware/README.md ("what each LED pattern means") is this class.
 *
 * <ul>
 *   <li>Exactly one status colour is lit: setup = amber breathing, ok = green heartbeat, warning = amber
 *       steady, fault = red slow blink.</li>
 *   <li>The activity LED shows the most important activity: backup running (slow blink: leave the stick in)
 *       over backup done (steady: safe to remove the stick) over mail in/out (fast blink).</li>
 *   <li>Shutting down overrides everything: amber fast blink, nothing else; all dark once it is safe to
 *       pull the plug.</li>
 * </ul>
 */
public record Indication(Map<Led, Pattern> patterns) {

    public Indication {
        EnumMap<Led, Pattern> all = new EnumMap<>(Led.class);
        for (Led led : Led.values()) {
            all.put(led, patterns.getOrDefault(led, Pattern.OFF));
        }
        patterns = Collections.unmodifiableMap(all);
    }

    public static Indication of(State state, Set<Activity> activities) {
        Map<Led, Pattern> patterns = new EnumMap<>(Led.class);
        if (activities.contains(Activity.SHUTTING_DOWN)) {
            patterns.put(Led.AMBER, Pattern.FAST_BLINK);
            return new Indication(patterns);
        }
        switch (state) {
            case SETUP -> patterns.put(Led.AMBER, Pattern.BREATHING);
            case OK -> patterns.put(Led.GREEN, Pattern.HEARTBEAT);
            case WARNING -> patterns.put(Led.AMBER, Pattern.STEADY);
            case FAULT -> patterns.put(Led.RED, Pattern.SLOW_BLINK);
        }
        if (activities.contains(Activity.BACKUP_RUNNING)) {
            patterns.put(Led.ACTIVITY, Pattern.SLOW_BLINK);
        } else if (activities.contains(Activity.BACKUP_DONE_SAFE_TO_REMOVE)) {
            patterns.put(Led.ACTIVITY, Pattern.STEADY);
        } else if (activities.contains(Activity.MAIL_IN) || activities.contains(Activity.MAIL_OUT)) {
            patterns.put(Led.ACTIVITY, Pattern.FAST_BLINK);
        }
        return new Indication(patterns);
    }

    public Pattern pattern(Led led) {
        return patterns.get(led);
    }

    /**
     * The number of blinks a short button press shows, so the state can be read even on a single LED or by
     * someone who cannot tell the colours apart: 1 ok, 2 warning, 3 fault, 4 waiting for setup.
     */
    public static int code(State state) {
        return switch (state) {
            case OK -> 1;
            case WARNING -> 2;
            case FAULT -> 3;
            case SETUP -> 4;
        };
    }
}
