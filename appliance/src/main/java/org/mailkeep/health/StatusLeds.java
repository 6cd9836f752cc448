package org.mailkeep.health;

import com.pi4j.context.Context;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.config.MailkeepConfig;
import org.mailkeep.hardware.Activity;
import org.mailkeep.hardware.Hardware;
import org.mailkeep.hardware.HardwareConfig;
import org.mailkeep.hardware.Indication;
import org.mailkeep.hardware.Led;
import org.mailkeep.hardware.Press;
import org.mailkeep.hardware.State;
import org.mailkeep.hardware.StatusIndicator;
import org.mailkeep.hardware.Wiring;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.box.ButtonEvents;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The box's LEDs and button, driven by the {@link HealthModel}: the state is re-read every 5 s (checks are
 * cheap but not free) and pushed at once when {@link Activities} change. Button presses become CDI events
 * ({@link ButtonEvents}); a 10 s hold stops the appliance with {@link #POWEROFF_EXIT_CODE}, which the image's
 * systemd unit turns into a poweroff (hardware/README.md).
 *
 * <p>{@code mailkeep.hardware}: {@code auto} drives a Pi's GPIO/LEDs and nothing elsewhere, {@code mock} runs
 * the real state machine on Pi4J's mock platform (local runs and tests: /api/status mirrors what a box would
 * show, and {@link MockButton} presses its button), {@code none} drives nothing. Hardware that cannot be opened (no permission on /dev/gpiochip0, say)
 * is logged and leaves the appliance running without LEDs.
 */
@ApplicationScoped
public class StatusLeds {

    /** The exit status that asks the image's service unit to power the box off (a clean shutdown first). */
    public static final int POWEROFF_EXIT_CODE = 64;

    private static final Logger LOG = Logger.getLogger(StatusLeds.class);

    private final HealthModel health;
    private final Activities activities;
    private final BoxIdentity setup;
    private final MailkeepConfig config;
    private final HardwareWiringConfig wiring;
    private final Event<ButtonEvents.BackupNowRequested> backupNow;
    private final Event<ButtonEvents.ShutdownRequested> shutdown;
    private final Event<ButtonEvents.PresenceConfirmed> presence;

    private volatile StatusIndicator indicator = StatusIndicator.none();
    private volatile State state = State.SETUP;
    private volatile Instant presenceConfirmedAt;
    private MockButton mockButton;

    public StatusLeds(HealthModel health, Activities activities, BoxIdentity setup, MailkeepConfig config,
                      HardwareWiringConfig wiring, Event<ButtonEvents.BackupNowRequested> backupNow,
                      Event<ButtonEvents.ShutdownRequested> shutdown, Event<ButtonEvents.PresenceConfirmed> presence) {
        this.health = health;
        this.activities = activities;
        this.setup = setup;
        this.config = config;
        this.wiring = wiring;
        this.backupNow = backupNow;
        this.shutdown = shutdown;
        this.presence = presence;
    }

    /** Runs after the features' own start-up observers (default priority), so the first state shown is not "listener down". */
    void onStart(@Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        HardwareConfig hardware = hardwareConfig(config.hardware(), wiring);
        try {
            if (hardware.platform() == HardwareConfig.Platform.MOCK) {
                // the mock's context is kept, so that its button can be pressed from outside (MockButton)
                Context context = Hardware.mockContext();
                indicator = Hardware.openPi4j(context, "mock", hardware, this::pressed, InstantSource.system()).start();
                mockButton = MockButton.watch(context, Path.of(config.dataDir()).resolve("mock-button"), hardware.buttonActiveLow());
            } else {
                indicator = Hardware.open(hardware, this::pressed);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot open the LEDs/button (%s): running without them", e.getMessage());
            indicator = StatusIndicator.none();
        }
        LOG.infof("status LEDs: %s", indicator.platform());
        activities.onChange(this::push);
        refresh();
    }

    /** Re-reads the health model (the rollup of every check) and shows it. */
    @Scheduled(every = "5s", delay = 5, delayUnit = java.util.concurrent.TimeUnit.SECONDS)
    void refresh() {
        state = State.valueOf(health.snapshot().state().name());
        push();
    }

    /** The state shown now (what the last refresh read from the health model). */
    State state() {
        return state;
    }

        private void push() {
        indicator.show(state, activities.current());
    }

    /** What /api/status reports as {@code leds}: the platform, the logical pattern per LED, and each wired LED. */
    public Map<String, Object> describe(HealthModel.State healthState) {
        Set<Activity> now = activities.current();
        Indication indication = Indication.of(State.valueOf(healthState.name()), now);
        Map<String, String> patterns = new LinkedHashMap<>();
        for (Led led : Led.values()) {
            patterns.put(led.id(), indication.pattern(led).id());
        }
        Map<String, Object> leds = new LinkedHashMap<>();
        leds.put("platform", indicator.platform());
        leds.put("activities", now.stream().map(Activity::id).toList());
        leds.put("pattern", patterns);
        leds.put("outputs", indicator.shown());
        return leds;
    }

    /** Lights each wired LED in turn (the admin UI's wiring test); the names in order, empty without hardware. */
    public List<String> testWiring() {
        return indicator.testWiring();
    }

    /** Whether someone pressed the button at the box since {@code since} while it waited for setup. */
    public boolean presenceConfirmedSince(Instant since) {
        Instant at = presenceConfirmedAt;
        return at != null && !at.isBefore(since);
    }

    /** A completed press (on the LED thread): the panel has already blinked the status code for a short one. */
    void pressed(Press press) {
        Instant now = Instant.now();
        switch (press) {
            case SHORT -> {
                if (!setup.isComplete()) {
                    presenceConfirmedAt = now;
                    LOG.info("button pressed during setup: physical presence confirmed");
                    presence.fireAsync(new ButtonEvents.PresenceConfirmed(now));
                }
            }
            case BACKUP -> {
                LOG.info("button held 5 s: backup requested");
                backupNow.fireAsync(new ButtonEvents.BackupNowRequested(now));
            }
            case SHUTDOWN -> {
                LOG.info("button held 10 s: shutting down, then powering off");
                activities.begin(Activities.SHUTTING_DOWN);
                shutdown.fire(new ButtonEvents.ShutdownRequested(now));
                Quarkus.asyncExit(POWEROFF_EXIT_CODE);
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        activities.begin(Activities.SHUTTING_DOWN); // shown while the other services stop
    }

    @PreDestroy
    void close() {
        if (mockButton != null) {
            mockButton.close();
        }
        indicator.close();
    }

    static HardwareConfig hardwareConfig(String platform, HardwareWiringConfig wiring) {
        Map<String, Integer> pins = new LinkedHashMap<>();
        for (String pair : wiring.pins()) {
            String[] parts = pair.trim().split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("mailkeep.hardware.pins: '" + pair + "' is not name:BCM-pin");
            }
            pins.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
        }
        Wiring leds = Wiring.parse(wiring.leds());
        Optional<Integer> button = wiring.buttonPin().equalsIgnoreCase("none") ? Optional.empty()
                : Optional.of(Integer.parseInt(wiring.buttonPin().trim()));
        HardwareConfig defaults = HardwareConfig.defaults(HardwareConfig.Platform.parse(platform));
        return new HardwareConfig(defaults.platform(), leds, pins, wiring.ledsActiveLow(),
                button, wiring.buttonActiveLow(), wiring.pwmLed(), wiring.pwmChip(), wiring.pwmChannel(), Path.of(wiring.sysfsLeds()),
                wiring.actLed(), wiring.pwrLed(), Path.of(wiring.modelFile()), defaults.debounceMillis());
    }
}
