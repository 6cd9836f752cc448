package org.mailkeep.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.box.HealthCheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The SoC temperature from the kernel's thermal zone (Documentation/ABI/testing/sysfs-class-thermal: "temp",
 * millidegrees Celsius). No sensor means "not a Pi": reported, not a fault.
 */
@ApplicationScoped
public class CpuTemperatureCheck implements HealthCheck {

    static final String NAME = "cpu-temperature";

    private final Path file;
    private final double warning;
    private final double fault;

    @Inject
    public CpuTemperatureCheck(BoxHealthConfig config) {
        this(Path.of(config.thermalFile()), config.temperatureWarning(), config.temperatureFault());
    }

    CpuTemperatureCheck(Path file, double warning, double fault) {
        this.file = file;
        this.warning = warning;
        this.fault = fault;
    }

    @Override
    public Result check() {
        double celsius;
        try {
            celsius = Long.parseLong(Files.readString(file).trim()) / 1000.0;
        } catch (NoSuchFileException e) {
            return Result.ok(NAME, "no CPU temperature sensor (" + file + "): not a Raspberry Pi, not checked");
        } catch (IOException | NumberFormatException e) {
            return Result.warning(NAME, "cannot read the CPU temperature from " + file + ": " + e.getMessage());
        }
        String text = String.format(Locale.ROOT, "%.1f °C", celsius);
        if (celsius >= fault) {
            return Result.fault(NAME, "CPU at " + text + ": the Pi is throttling hard; give it air or a heatsink");
        }
        if (celsius >= warning) {
            return Result.warning(NAME, "CPU at " + text + ": close to throttling (80 °C); improve the cooling");
        }
        return Result.ok(NAME, "CPU at " + text);
    }
}
