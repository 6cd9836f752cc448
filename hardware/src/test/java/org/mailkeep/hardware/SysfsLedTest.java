package org.mailkeep.hardware;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The board-LED driver against a temporary directory laid out like /sys/class/leds. */
class SysfsLedTest {

    @TempDir
    Path leds;
    private final ManualClock clock = new ManualClock();

    private void led(String name, String triggers, String maxBrightness) throws IOException {
        Path dir = Files.createDirectories(leds.resolve(name));
        Files.writeString(dir.resolve("trigger"), triggers + "\n");
        Files.writeString(dir.resolve("brightness"), "1\n");
        Files.writeString(dir.resolve("max_brightness"), maxBrightness + "\n");
    }

    private String read(String file) throws IOException {
        return Files.readString(leds.resolve(file)).trim();
    }

    @Test
    void takesTheLedsFromTheirTriggersAndGivesThemBack() throws IOException {
        led("ACT", "none rfkill-any kbd-scrolllock timer oneshot heartbeat [mmc0] default-on", "1");
        led("PWR", "none timer heartbeat [default-on] input panic", "1");
        HardwareConfig config = HardwareConfig.defaults(HardwareConfig.Platform.AUTO).withPaths(leds, leds.resolve("model"));
        StatusPanel panel = Hardware.openBoard(config.withWiring(Wiring.BOARD, java.util.Map.of()).withButton(Optional.empty()), p -> { }, clock);
        assertThat(read("ACT/trigger")).isEqualTo("none");
        assertThat(read("PWR/trigger")).isEqualTo("none");

        panel.show(State.FAULT, Set.of()); // red slow blink: PWR on, ACT off
        panel.tick();
        assertThat(read("PWR/brightness")).isEqualTo("1");
        assertThat(read("ACT/brightness")).isEqualTo("0");
        clock.advance(1000);
        panel.tick();
        assertThat(read("PWR/brightness")).isEqualTo("0");

        panel.show(State.OK, Set.of()); // green heartbeat on ACT, PWR dark
        panel.tick();
        assertThat(read("ACT/brightness")).isEqualTo("1");
        assertThat(read("PWR/brightness")).isEqualTo("0");
        clock.advance(150);
        panel.tick();
        assertThat(read("ACT/brightness")).isEqualTo("0");

        panel.show(State.WARNING, Set.of()); // amber = both
        panel.tick();
        assertThat(read("ACT/brightness")).isEqualTo("1");
        assertThat(read("PWR/brightness")).isEqualTo("1");
        assertThat(panel.shown()).containsEntry("act", "steady").containsEntry("pwr", "steady");

        panel.show(State.OK, Set.of(Activity.BACKUP_DONE_SAFE_TO_REMOVE)); // activity wins on ACT
        panel.tick();
        assertThat(panel.shown()).containsEntry("act", "steady").containsEntry("pwr", "off");

        panel.close();
        assertThat(read("ACT/trigger")).isEqualTo("mmc0");
        assertThat(read("PWR/trigger")).isEqualTo("default-on");
        assertThat(read("ACT/brightness")).isEqualTo("0");
    }

    @Test
    void findsOlderKernelsNamesAndDimsWhereTheLedCan() throws IOException {
        led("led0", "none [heartbeat]", "255");
        Optional<SysfsLed> led = SysfsLed.open("act", leds, List.of("ACT", "led0"));
        assertThat(led).isPresent();
        assertThat(led.get().dimmable()).isTrue();
        led.get().set(0.5);
        assertThat(read("led0/brightness")).isEqualTo("128");
        led.get().close();
        assertThat(read("led0/trigger")).isEqualTo("heartbeat");
        assertThat(SysfsLed.open("pwr", leds, List.of("PWR", "led1"))).isEmpty();
    }

    @Test
    void readsTheActiveTriggerFromTheListing() {
        assertThat(SysfsLed.activeTrigger("none [mmc0] timer")).isEqualTo("mmc0");
        assertThat(SysfsLed.activeTrigger("[none] timer")).isEqualTo("none");
        assertThat(SysfsLed.activeTrigger("")).isEqualTo("none");
    }
}
