package org.mailkeep.checks;

import org.mailkeep.antivirus.ClamdClient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.box.HealthCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The antivirus health check reads the box's memory as the image's ClamAV decision does (MemTotal, 3584 MiB). */
class AntivirusHealthTest {

    @TempDir
    Path dir;

    /** A proc(5) meminfo file as the kernel writes it, with MemTotal in kB. */
    Path meminfo(long memTotalKib) throws Exception {
        return Files.writeString(dir.resolve("meminfo"), "MemTotal:       " + memTotalKib + " kB\nMemFree:          512000 kB\n"
                + "MemAvailable:    700000 kB\nSwapTotal:        102396 kB\n");
    }

    @Test
    void offOnABoxWithTheMemoryForClamAvIsAWarning() throws Exception {
        // a Raspberry Pi 4 with 4 GB (the firmware keeps some for the GPU): 3,884 MiB
        HealthCheck.Result result = new AntivirusCheck(null, false, Optional.of(meminfo(3_977_412))).check();
        assertThat(result.level()).isEqualTo(HealthCheck.Level.WARNING);
        assertThat(result.reason()).contains("off").contains("3884 MiB").contains("MAILKEEP_ANTIVIRUS");
    }

    @Test
    void offOnABoxTooSmallForClamAvIsOk() throws Exception {
        // a Raspberry Pi 3 with 1 GB: the image leaves ClamAV off, as it should
        HealthCheck.Result result = new AntivirusCheck(null, false, Optional.of(meminfo(944_268))).check();
        assertThat(result.level()).isEqualTo(HealthCheck.Level.OK);
        assertThat(result.reason()).contains("off").contains("922 MiB");
        assertThat(AntivirusCheck.memTotalMib(meminfo(AntivirusCheck.CLAMAV_MEMORY_MIB * 1024 - 1))).contains(AntivirusCheck.CLAMAV_MEMORY_MIB - 1);
        assertThat(new AntivirusCheck(null, false, Optional.of(meminfo(AntivirusCheck.CLAMAV_MEMORY_MIB * 1024))).check().level())
                .isEqualTo(HealthCheck.Level.WARNING); // "from 3.5 GiB": the threshold itself counts
    }

    @Test
    void unreadableOrUncheckedMemoryLeavesOffAsOk() {
        assertThat(new AntivirusCheck(null, false, Optional.of(dir.resolve("absent"))).check().level()).isEqualTo(HealthCheck.Level.OK);
        assertThat(new AntivirusCheck(null, false, Optional.empty()).check().reason()).isEqualTo("off (mailkeep.clamd.address is empty)");
    }

    @Test
    void onIsJudgedByClamdNotByMemory() throws Exception {
        AntivirusCheck on = new AntivirusCheck(new ClamdClient("127.0.0.1:1", Duration.ofSeconds(1)), false, Optional.of(meminfo(944_268)));
        assertThat(on.check().level()).isEqualTo(HealthCheck.Level.OK);
        assertThat(on.check().reason()).startsWith("clamd at 127.0.0.1:1");
    }
}
