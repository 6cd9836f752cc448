package org.mailkeep.health;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.box.HealthCheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The checks of the box itself, against files laid out like the Pi's sysfs and /run. */
class BoxChecksTest {

    @TempDir
    Path dir;

    private HealthCheck.Result temperature(String content) throws IOException {
        Path file = dir.resolve("temp");
        Files.writeString(file, content);
        return new CpuTemperatureCheck(file, 75, 85).check();
    }

    @Test
    void cpuTemperatureLevels() throws IOException {
        assertThat(temperature("48312\n")).extracting(HealthCheck.Result::level, HealthCheck.Result::reason)
                .containsExactly(HealthCheck.Level.OK, "CPU at 48.3 °C");
        assertThat(temperature("77000\n").level()).isEqualTo(HealthCheck.Level.WARNING);
        assertThat(temperature("85000\n").level()).isEqualTo(HealthCheck.Level.FAULT);
        assertThat(temperature("garbage").level()).isEqualTo(HealthCheck.Level.WARNING);
        HealthCheck.Result absent = new CpuTemperatureCheck(dir.resolve("none"), 75, 85).check();
        assertThat(absent.level()).isEqualTo(HealthCheck.Level.OK);
        assertThat(absent.reason()).contains("not a Raspberry Pi");
        assertThat(absent.name()).isEqualTo("cpu-temperature");
    }

    @Test
    void throttledFlagsOfTheRaspberryPiKernel() throws IOException {
        Path file = dir.resolve("get_throttled");
        PowerSupplyCheck check = new PowerSupplyCheck(file, dir.resolve("hwmon"));
        Files.writeString(file, "0\n");
        assertThat(check.check().level()).isEqualTo(HealthCheck.Level.OK);
        Files.writeString(file, "0x50005\n");
        HealthCheck.Result now = check.check();
        assertThat(now.level()).isEqualTo(HealthCheck.Level.FAULT);
        assertThat(now.reason()).contains("under-voltage now");
        Files.writeString(file, "0x50000\n");
        HealthCheck.Result past = check.check();
        assertThat(past.level()).isEqualTo(HealthCheck.Level.WARNING);
        assertThat(past.reason()).contains("under-voltage since boot", "throttling since boot");
        Files.writeString(file, "0x8\n");
        assertThat(check.check().reason()).contains("soft temperature limit reached now");
    }

    @Test
    void underVoltageAlarmOfDebiansKernel() throws IOException {
        Path hwmon = dir.resolve("hwmon");
        Path cpu = Files.createDirectories(hwmon.resolve("hwmon0"));
        Files.writeString(cpu.resolve("name"), "cpu_thermal\n");
        Path volt = Files.createDirectories(hwmon.resolve("hwmon1"));
        Files.writeString(volt.resolve("name"), "rpi_volt\n");
        Files.writeString(volt.resolve("in0_lcrit_alarm"), "0\n");
        PowerSupplyCheck check = new PowerSupplyCheck(dir.resolve("no-get_throttled"), hwmon);
        assertThat(check.check().level()).isEqualTo(HealthCheck.Level.OK);
        Files.writeString(volt.resolve("in0_lcrit_alarm"), "1\n");
        assertThat(check.check().level()).isEqualTo(HealthCheck.Level.FAULT);
        assertThat(check.check().reason()).contains("under-voltage");
    }

    @Test
    void noPowerMonitorIsNotAFault() {
        HealthCheck.Result result = new PowerSupplyCheck(dir.resolve("a"), dir.resolve("b")).check();
        assertThat(result.level()).isEqualTo(HealthCheck.Level.OK);
        assertThat(result.reason()).contains("not checked");
    }

    @Test
    void clockSynchronisation() throws IOException {
        InstantSource today = InstantSource.fixed(Instant.parse("2026-11-29T12:00:00Z"));
        Path timesync = dir.resolve("timesync");
        assertThat(new ClockCheck(timesync, today).check().reason()).contains("not checked");
        assertThat(new ClockCheck(timesync, today).check().level()).isEqualTo(HealthCheck.Level.OK);
        Files.createDirectories(timesync);
        assertThat(new ClockCheck(timesync, today).check().level()).isEqualTo(HealthCheck.Level.WARNING);
        Files.createFile(timesync.resolve("synchronized"));
        assertThat(new ClockCheck(timesync, today).check().level()).isEqualTo(HealthCheck.Level.OK);
        InstantSource boot1970 = InstantSource.fixed(Instant.parse("1970-01-01T00:00:42Z"));
        assertThat(new ClockCheck(timesync, boot1970).check().level()).isEqualTo(HealthCheck.Level.FAULT);
    }

    @Test
    void bootPartitionMountedOrNot() throws IOException {
        Path firmware = Files.createDirectories(dir.resolve("boot/firmware"));
        Path mountinfo = dir.resolve("mountinfo");
        BootPartitionCheck check = new BootPartitionCheck(firmware, mountinfo);
        Files.writeString(mountinfo, "22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n"
                + "31 22 179:1 / " + firmware + " rw,noatime shared:15 - vfat /dev/mmcblk0p1 rw,fmask=0077\n");
        assertThat(check.check()).extracting(HealthCheck.Result::name, HealthCheck.Result::level)
                .containsExactly("boot-partition", HealthCheck.Level.OK);
        Files.writeString(mountinfo, "22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n"
                + "32 22 0:30 / " + firmware + "-old rw shared:16 - tmpfs tmpfs rw\n");
        HealthCheck.Result missing = check.check();
        assertThat(missing.level()).isEqualTo(HealthCheck.Level.WARNING);
        assertThat(missing.reason()).contains("not mounted", "kernel updates are held back");
        assertThat(new BootPartitionCheck(dir.resolve("none"), mountinfo).check().level()).isEqualTo(HealthCheck.Level.OK);
    }
}
