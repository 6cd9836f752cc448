package org.mailkeep.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.mailkeep.hardware.State;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The box's own figures on /q/metrics (docs/metrics.md): the state the LEDs show, one series per state with 1 for the
 * current one, and the process's resident memory (the JVM's heap and non-heap figures come from Micrometer's JVM binder).
 */
@Singleton
public class HealthMetrics {

    /** Its VmRSS line is in KiB whatever the kernel's page size (4 KiB, or 16 KiB on a Pi 5's kernel). */
    private static final Path STATUS = Path.of("/proc/self/status");

    void register(@Observes StartupEvent event, MeterRegistry registry, StatusLeds leds) {
        for (State state : State.values()) {
            Gauge.builder("mailkeep.led.state", () -> leds.state() == state ? 1 : 0)
                    .description("The health state the status LEDs show: 1 for the current state, 0 for the others")
                    .tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process.resident.memory", HealthMetrics::residentBytes).description("Resident set size of the appliance's process")
                    .baseUnit("bytes").register(registry);
        }
    }

    private static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024.0;
                }
            }
            return Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
