package org.mailkeep.hardware;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The LED and button state machine, independent of how the LEDs are attached. Every {@link #tick()} reads
 * the clock once, samples the button, and sets each output to the level its pattern has at that moment; the
 * scheduler started by {@link #start()} ticks every {@value #TICK_MILLIS} ms, and tests call {@code tick()}
 * themselves with a clock they move.
 *
 * <p>Each output carries an ordered list of logical {@link Led}s: it shows the pattern of the first of them
 * that is not off. That one rule covers the three wirings: separate LEDs (one role each), an RGB LED (amber
 * lights the red and green channels) and the board's ACT/PWR pair (activity over green on ACT, amber on both).
 *
 * <p>Above the patterns, in this order: holding the button (fast blink on every LED from 5 s: release for
 * a backup; steady from 10 s: release to shut down), the wiring test, and the status code a short press
 * blinks.
 */
public final class StatusPanel implements StatusIndicator {

    static final long TICK_MILLIS = 20;
    /** Status code: dark pause, then per blink 300 ms on and 400 ms off, then a dark pause. */
    static final long CODE_PAUSE_MILLIS = 800;
    static final long CODE_ON_MILLIS = 300;
    static final long CODE_BLINK_MILLIS = 700;
    static final long WIRING_STEP_MILLIS = 1000;

    /** A physical output and the logical LEDs it shows, most important first. */
    public record Output(LedOutput led, List<Led> roles) {
    }

    /** A time-limited sequence shown instead of the patterns: the level of output {@code index} at {@code t} ms into it. */
    private record Sequence(String id, long start, long length, Level level) {
    }

    @FunctionalInterface
    private interface Level {
        double at(int index, long t);
    }

    private static final System.Logger LOG = System.getLogger(StatusPanel.class.getName());

    private final String platform;
    private final List<Output> outputs;
    private final Optional<BooleanSupplier> button;
    private final ButtonListener listener;
    private final InstantSource clock;
    private final Debouncer debouncer;
    private final Runnable release;

    private volatile Indication indication = Indication.of(State.SETUP, Set.of());
    private volatile State state = State.SETUP;
    private volatile Sequence sequence;
    private volatile Map<String, String> shown = Map.of();
    private final Map<Led, Pattern> phasePattern = new EnumMap<>(Led.class);
    private final Map<Led, Long> phaseStart = new EnumMap<>(Led.class);
    private ScheduledExecutorService scheduler;
    private boolean failing;

    /**
     * @param platform  reported by {@link #platform()}
     * @param button    samples the button (true = pressed), if one is wired
     * @param release   releases what the outputs were opened on (the Pi4J context), after they are closed
     */
    public StatusPanel(String platform, List<Output> outputs, Optional<BooleanSupplier> button, ButtonListener listener,
                       InstantSource clock, long debounceMillis, Runnable release) {
        this.platform = platform;
        this.outputs = List.copyOf(outputs);
        this.button = button;
        this.listener = listener;
        this.clock = clock;
        this.debouncer = new Debouncer(debounceMillis);
        this.release = release;
    }

    /** Starts ticking on a daemon thread of its own. */
    public synchronized StatusPanel start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mailkeep-leds");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    @Override
    public void show(State state, Set<Activity> activities) {
        this.state = state;
        this.indication = Indication.of(state, activities);
    }

    @Override
    public List<String> testWiring() {
        List<String> names = outputs.stream().map(o -> o.led().name()).toList();
        sequence = new Sequence("wiring-test", clock.millis(), WIRING_STEP_MILLIS * outputs.size(),
                (index, t) -> t / WIRING_STEP_MILLIS == index ? 1 : 0);
        return names;
    }

    /** Blinks the status code ({@link Indication#code(State)}) on the LEDs that show the current colour (all, if none does). */
    public void blinkStatusCode() {
        State now = state;
        int code = Indication.code(now);
        Led colour = indication.patterns().entrySet().stream()
                .filter(e -> e.getKey() != Led.ACTIVITY && e.getValue() != Pattern.OFF)
                .map(Map.Entry::getKey).findFirst().orElse(Led.AMBER);
        boolean colourWired = outputs.stream().anyMatch(o -> o.roles().contains(colour));
        sequence = new Sequence("status-code-" + code, clock.millis(), 2 * CODE_PAUSE_MILLIS + code * CODE_BLINK_MILLIS, (index, t) -> {
            if (colourWired && !outputs.get(index).roles().contains(colour) || t < CODE_PAUSE_MILLIS) {
                return 0;
            }
            long inBlinks = t - CODE_PAUSE_MILLIS;
            return inBlinks / CODE_BLINK_MILLIS < code && inBlinks % CODE_BLINK_MILLIS < CODE_ON_MILLIS ? 1 : 0;
        });
    }

    @Override
    public Map<String, String> shown() {
        return shown;
    }

    @Override
    public String platform() {
        return platform;
    }

    /** One step: sample the button, then set every output for this instant. */
    public void tick() {
        long now = clock.millis();
        try {
            button.ifPresent(b -> debouncer.sample(b.getAsBoolean(), now).ifPresent(this::pressed));
            render(now);
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) { // log once per failure streak, not 50 times a second
                LOG.log(System.Logger.Level.ERROR, "LED/button update failed: " + e.getMessage(), e);
                failing = true;
            }
        }
    }

    private void pressed(Press press) {
        if (press == Press.SHORT) {
            blinkStatusCode();
        }
        listener.pressed(press);
    }

    private void render(long now) {
        Indication current = indication;
        for (Led led : Led.values()) {
            Pattern p = current.pattern(led);
            if (phasePattern.get(led) != p) { // a pattern starts at its beginning when it changes
                phasePattern.put(led, p);
                phaseStart.put(led, now);
            }
        }
        Sequence seq = sequence;
        if (seq != null && now - seq.start() >= seq.length()) {
            sequence = null;
            seq = null;
        }
        long held = debouncer.heldMillis(now);
        Map<String, String> nowShown = new LinkedHashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            Output o = outputs.get(i);
            String id;
            double level;
            if (held >= Press.BACKUP_HOLD_MILLIS) {
                boolean shutdown = held >= Press.SHUTDOWN_HOLD_MILLIS;
                id = shutdown ? "hold-shutdown" : "hold-backup";
                level = shutdown ? 1 : Pattern.FAST_BLINK.level(held - Press.BACKUP_HOLD_MILLIS);
            } else if (seq != null) {
                id = seq.id();
                level = seq.level().at(i, now - seq.start());
            } else {
                Led role = o.roles().stream().filter(r -> current.pattern(r) != Pattern.OFF).findFirst().orElse(null);
                Pattern p = role == null ? Pattern.OFF : current.pattern(role);
                id = p.id();
                level = role == null ? 0 : p.level(now - phaseStart.get(role));
            }
            o.led().set(level);
            nowShown.put(o.led().name(), id);
        }
        shown = nowShown;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (scheduler != null) {
                scheduler.shutdownNow();
                try {
                    scheduler.awaitTermination(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (Output o : outputs) {
            try {
                o.led().close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        release.run();
        shown = Map.of();
        failures.forEach(e -> LOG.log(System.Logger.Level.WARNING, "could not release an LED: " + e.getMessage(), e));
    }
}
