package org.mailkeep.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.box.HealthCheck;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Under-voltage and throttling, as the Pi's firmware reports them, from whichever interface the kernel offers:
 * <ul>
 *   <li>Debian's (mainline) kernel: the raspberrypi-hwmon driver (drivers/hwmon/raspberrypi-hwmon.c, documented in
 *       Documentation/hwmon/raspberrypi-hwmon.rst) polls the firmware every 2 s and shows a hwmon device named
 *       {@code rpi_volt} whose {@code in0_lcrit_alarm} is 1 after under-voltage.</li>
 *   <li>The Raspberry Pi kernel: {@code /sys/devices/platform/soc/soc:firmware/get_throttled}, the same bit field
 *       as {@code vcgencmd get_throttled} (bits 0-3 now: under-voltage, frequency capped, throttled, soft
 *       temperature limit; bits 16-19: the same since boot).</li>
 * </ul>
 * Neither present means this is not a Pi (or the driver is not loaded): reported, not a fault.
 * Under-voltage now is a fault (it corrupts SD cards); anything else seen is a warning.
 */
@ApplicationScoped
public class PowerSupplyCheck implements HealthCheck {

    static final String NAME = "power-supply";

    private final Path throttledFile;
    private final Path hwmonDir;

    @Inject
    public PowerSupplyCheck(BoxHealthConfig config) {
        this(Path.of(config.throttledFile()), Path.of(config.hwmonDir()));
    }

    PowerSupplyCheck(Path throttledFile, Path hwmonDir) {
        this.throttledFile = throttledFile;
        this.hwmonDir = hwmonDir;
    }

    @Override
    public Result check() {
        try {
            if (Files.isRegularFile(throttledFile)) {
                return fromThrottledFlags(Long.decode(Files.readString(throttledFile).trim()));
            }
            Optional<Path> rpiVolt = rpiVoltHwmon();
            if (rpiVolt.isPresent()) {
                boolean alarm = Files.readString(rpiVolt.get().resolve("in0_lcrit_alarm")).trim().equals("1");
                return alarm
                        ? Result.fault(NAME, "under-voltage: the power supply cannot deliver 5 V under load; use the official 5.1 V / 3 A supply")
                        : Result.ok(NAME, "no under-voltage (raspberrypi-hwmon)");
            }
        } catch (IOException | NumberFormatException e) {
            return Result.warning(NAME, "cannot read the power state: " + e.getMessage());
        }
        return Result.ok(NAME, "no Raspberry Pi power monitor (neither " + throttledFile + " nor an rpi_volt hwmon): not checked");
    }

    static Result fromThrottledFlags(long flags) {
        if ((flags & 0x1) != 0) {
            return Result.fault(NAME, "under-voltage now (flags 0x" + Long.toHexString(flags)
                    + "): the power supply cannot deliver 5 V under load; use the official 5.1 V / 3 A supply");
        }
        List<String> seen = new ArrayList<>();
        String[] now = {null, "CPU frequency capped", "throttled", "soft temperature limit reached"};
        String[] sinceBoot = {"under-voltage", "CPU frequency capping", "throttling", "the soft temperature limit"};
        for (int bit = 1; bit <= 3; bit++) {
            if ((flags & (1L << bit)) != 0) {
                seen.add(now[bit] + " now");
            }
        }
        for (int bit = 0; bit <= 3; bit++) {
            if ((flags & (1L << (16 + bit))) != 0) {
                seen.add(sinceBoot[bit] + " since boot");
            }
        }
        return seen.isEmpty()
                ? Result.ok(NAME, "no under-voltage or throttling since boot")
                : Result.warning(NAME, String.join(", ", seen) + " (flags 0x" + Long.toHexString(flags) + "): check the power supply and cooling");
    }

    private Optional<Path> rpiVoltHwmon() throws IOException {
        if (!Files.isDirectory(hwmonDir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(hwmonDir)) {
            for (Path device : devices) {
                Path name = device.resolve("name");
                if (Files.isRegularFile(name) && Files.readString(name).trim().equals("rpi_volt")) {
                    return Optional.of(device);
                }
            }
        }
        return Optional.empty();
    }
}
