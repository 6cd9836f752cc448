package org.mailkeep.hardware;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the appliance sees of the hardware: state in, patterns out. Obtain one from
 * {@link Hardware#open(HardwareConfig, ButtonListener)}; button presses arrive at the {@link ButtonListener}
 * given there.
 */
public interface StatusIndicator extends AutoCloseable {

    /** Shows this state and these activities from now on (cheap; call it whenever either changes). */
    void show(State state, Set<Activity> activities);

    /** Lights each wired LED alone, in turn, for a second (the admin UI's wiring test); returns their names in order. */
    List<String> testWiring();

    /** What each wired LED shows at this moment: LED name → pattern id (or the running sequence's id). */
    Map<String, String> shown();

    /** Where the LEDs live: {@code none}, {@code mock}, {@code gpio} or {@code sysfs}. */
    String platform();

    /** Turns the LEDs off, gives the board's LEDs back to their triggers and releases the GPIO lines. */
    @Override
    void close();

    /** No LEDs and no button: what {@code mailkeep.hardware=none} and a non-Pi machine under {@code auto} get. */
    static StatusIndicator none() {
        return new StatusIndicator() {
            @Override
            public void show(State state, Set<Activity> activities) {
            }

            @Override
            public List<String> testWiring() {
                return List.of();
            }

            @Override
            public Map<String, String> shown() {
                return Map.of();
            }

            @Override
            public String platform() {
                return "none";
            }

            @Override
            public void close() {
            }
        };
    }
}
