package org.mailkeep.hardware;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Press lengths, debounce and the hold feedback, by driving the mock platform's digital input. */
class ButtonTest {

    private final ManualClock clock = new ManualClock();
    private final MockPanel mock = new MockPanel(HardwareConfig.defaults(HardwareConfig.Platform.MOCK), clock);

    /** Holds the button for {@code millis} (ticking every 10 ms), releases it, and ticks past the debounce. */
    private void hold(long millis) {
        mock.button(true);
        run(millis);
        mock.button(false);
        run(100);
    }

    private void run(long millis) {
        for (long t = 0; t < millis; t += 10) {
            mock.panel.tick();
            clock.advance(10);
        }
    }

    @Test
    void pressLengthsMeanShortBackupAndShutdown() {
        run(100); // the button is seen released first: arms it
        hold(200);
        hold(4_900);
        hold(5_100);
        hold(9_900);
        hold(10_100);
        hold(30_000);
        assertThat(mock.presses).containsExactly(Press.SHORT, Press.SHORT, Press.BACKUP, Press.BACKUP, Press.SHUTDOWN, Press.SHUTDOWN);
        mock.close();
    }

    @Test
    void contactBounceShorterThanTheDebounceTimeIsIgnored() {
        run(100);
        for (int i = 0; i < 5; i++) { // a bouncing contact: 10 ms closed, 10 ms open
            mock.button(true);
            run(10);
            mock.button(false);
            run(10);
        }
        run(100);
        assertThat(mock.presses).isEmpty();
        // a bounce while released inside a real press does not split it
        mock.button(true);
        run(3_000);
        mock.button(false);
        run(10);
        mock.button(true);
        run(3_000);
        mock.button(false);
        run(100);
        assertThat(mock.presses).containsExactly(Press.BACKUP);
        mock.close();
    }

    @Test
    void aButtonHeldFromPowerOnNeverCounts() {
        mock.button(true);
        run(12_000);
        mock.button(false);
        run(100);
        assertThat(mock.presses).isEmpty();
        hold(300);
        assertThat(mock.presses).containsExactly(Press.SHORT);
        mock.close();
    }

    @Test
    void holdingShowsWhenToLetGoForABackupAndForAShutdown() {
        mock.panel.show(State.OK, Set.of());
        run(100);
        mock.button(true);
        run(4_900);
        assertThat(mock.panel.shown().get("green")).isEqualTo("heartbeat");
        run(200);
        assertThat(mock.panel.shown()).containsValue("hold-backup").doesNotContainValue("heartbeat");
        run(5_000);
        assertThat(mock.panel.shown().values()).containsOnly("hold-shutdown");
        assertThat(mock.lit("green") && mock.lit("amber") && mock.lit("red") && mock.lit("activity")).isTrue();
        mock.button(false);
        run(100);
        assertThat(mock.presses).containsExactly(Press.SHUTDOWN);
        assertThat(mock.panel.shown().get("green")).isEqualTo("heartbeat");
        mock.close();
    }

    @Test
    void aShortPressBlinksTheStatusCodeOnTheStatusColour() {
        mock.panel.show(State.FAULT, Set.of());
        run(100);
        hold(100); // the release is accepted 30 ms (the debounce) after it, 70 ms before hold() returns
        assertThat(mock.presses).containsExactly(Press.SHORT);
        // fault = 3 blinks of the red LED, 700 ms apart, after a dark pause of 800 ms; nothing else lights
        java.util.List<Long> rising = mock.edges(clock, 3_000, 10, () -> mock.lit("red") || mock.lit("green") || mock.lit("amber"));
        assertThat(rising).containsExactly(730L, 1430L, 2130L);
        assertThat(mock.panel.shown().get("red")).isEqualTo("status-code-3");
        mock.risingEdges(clock, "red", 1_000, 10);
        assertThat(mock.panel.shown().get("red")).isEqualTo("slow-blink");
        mock.close();
    }
}
