package org.mailkeep.hardware;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Choosing the platform: auto on a machine that is not a Pi, none, and mock. */
class HardwareTest {

    @TempDir
    Path dir;

    @Test
    void autoOnAMachineThatIsNotAPiDrivesNothing() throws IOException {
        HardwareConfig absent = HardwareConfig.defaults(HardwareConfig.Platform.AUTO).withPaths(dir, dir.resolve("no-model"));
        assertThat(Hardware.open(absent, p -> { }).platform()).isEqualTo("none");
        Files.writeString(dir.resolve("model"), "QEMU KVM Virtual Machine\0");
        HardwareConfig other = absent.withPaths(dir, dir.resolve("model"));
        assertThat(Hardware.open(other, p -> { }).platform()).isEqualTo("none");
    }

    @Test
    void recognisesAPiByItsDeviceTreeModel() throws IOException {
        Files.writeString(dir.resolve("model"), "Raspberry Pi 4 Model B Rev 1.5\0");
        HardwareConfig pi = HardwareConfig.defaults(HardwareConfig.Platform.AUTO).withPaths(dir, dir.resolve("model"));
        assertThat(Hardware.raspberryPiModel(pi)).contains("Raspberry Pi 4 Model B Rev 1.5");
    }

    @Test
    void noneDrivesNothingAndMockRunsTheStateMachine() {
        StatusIndicator none = Hardware.open(HardwareConfig.defaults(HardwareConfig.Platform.NONE), p -> { });
        none.show(State.OK, Set.of());
        assertThat(none.shown()).isEmpty();
        assertThat(none.testWiring()).isEmpty();

        try (StatusIndicator mock = Hardware.open(HardwareConfig.defaults(HardwareConfig.Platform.MOCK), p -> { })) {
            mock.show(State.WARNING, Set.of());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
                    .until(() -> "steady".equals(mock.shown().get("amber")));
            assertThat(mock.platform()).isEqualTo("mock");
            assertThat(mock.shown()).containsEntry("green", "off").containsEntry("red", "off").containsEntry("activity", "off");
        }
    }
}
