package org.mailkeep.hardware;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules from state and activities to patterns, and how the wirings map them. */
class IndicationTest {

    @Test
    void eachStateLightsExactlyOneStatusColour() {
        assertThat(Indication.of(State.SETUP, Set.of()).patterns()).containsEntry(Led.AMBER, Pattern.BREATHING)
                .containsEntry(Led.GREEN, Pattern.OFF).containsEntry(Led.RED, Pattern.OFF).containsEntry(Led.ACTIVITY, Pattern.OFF);
        assertThat(Indication.of(State.OK, Set.of()).patterns()).containsEntry(Led.GREEN, Pattern.HEARTBEAT)
                .containsEntry(Led.AMBER, Pattern.OFF).containsEntry(Led.RED, Pattern.OFF);
        assertThat(Indication.of(State.WARNING, Set.of()).patterns()).containsEntry(Led.AMBER, Pattern.STEADY)
                .containsEntry(Led.GREEN, Pattern.OFF).containsEntry(Led.RED, Pattern.OFF);
        assertThat(Indication.of(State.FAULT, Set.of()).patterns()).containsEntry(Led.RED, Pattern.SLOW_BLINK)
                .containsEntry(Led.GREEN, Pattern.OFF).containsEntry(Led.AMBER, Pattern.OFF);
    }

    @Test
    void activitiesOverlayTheActivityLedByImportance() {
        assertThat(Indication.of(State.FAULT, Set.of(Activity.MAIL_IN)).pattern(Led.ACTIVITY)).isEqualTo(Pattern.FAST_BLINK);
        assertThat(Indication.of(State.FAULT, Set.of(Activity.MAIL_IN)).pattern(Led.RED)).isEqualTo(Pattern.SLOW_BLINK);
        assertThat(Indication.of(State.OK, Set.of(Activity.MAIL_OUT, Activity.BACKUP_DONE_SAFE_TO_REMOVE)).pattern(Led.ACTIVITY))
                .isEqualTo(Pattern.STEADY);
        assertThat(Indication.of(State.OK, Set.of(Activity.BACKUP_DONE_SAFE_TO_REMOVE, Activity.BACKUP_RUNNING)).pattern(Led.ACTIVITY))
                .isEqualTo(Pattern.SLOW_BLINK);
    }

    @Test
    void shuttingDownHidesEverythingElse() {
        Indication shutdown = Indication.of(State.FAULT, Set.of(Activity.SHUTTING_DOWN, Activity.BACKUP_RUNNING));
        assertThat(shutdown.patterns()).containsEntry(Led.AMBER, Pattern.FAST_BLINK).containsEntry(Led.RED, Pattern.OFF)
                .containsEntry(Led.GREEN, Pattern.OFF).containsEntry(Led.ACTIVITY, Pattern.OFF);
    }

    @Test
    void statusCodesAreDistinct() {
        assertThat(Set.of(Indication.code(State.OK), Indication.code(State.WARNING), Indication.code(State.FAULT),
                Indication.code(State.SETUP))).hasSize(4);
    }

    @Test
    void activityIdsRoundTrip() {
        for (Activity a : Activity.values()) {
            assertThat(Activity.fromId(a.id())).contains(a);
        }
        assertThat(Activity.BACKUP_DONE_SAFE_TO_REMOVE.id()).isEqualTo("backup-done-safe-to-remove");
        assertThat(Activity.fromId("mail_in")).isEmpty();
    }

    @Test
    void anRgbLedShowsAmberAsRedPlusGreen() {
        ManualClock clock = new ManualClock();
        HardwareConfig config = HardwareConfig.defaults(HardwareConfig.Platform.MOCK)
                .withWiring(Wiring.RGB, java.util.Map.of("red", 22, "green", 17));
        try (MockPanel mock = new MockPanel(config, clock)) {
            mock.panel.show(State.WARNING, Set.of());
            mock.panel.tick();
            assertThat(mock.lit("red") && mock.lit("green")).isTrue();
            mock.panel.show(State.FAULT, Set.of());
            mock.panel.tick();
            assertThat(mock.lit("red")).isTrue();
            assertThat(mock.lit("green")).isFalse();
        }
    }

    @Test
    void theWiringTestLightsEachLedAloneForASecond() {
        ManualClock clock = new ManualClock();
        try (MockPanel mock = new MockPanel(HardwareConfig.defaults(HardwareConfig.Platform.MOCK), clock)) {
            mock.panel.show(State.OK, Set.of());
            assertThat(mock.panel.testWiring()).containsExactly("green", "amber", "red", "activity");
            for (String led : new String[] {"green", "amber", "red", "activity"}) {
                clock.advance(500);
                mock.panel.tick();
                assertThat(mock.panel.shown().values()).containsOnly("wiring-test");
                for (String other : new String[] {"green", "amber", "red", "activity"}) {
                    assertThat(mock.lit(other)).as("%s while testing %s", other, led).isEqualTo(other.equals(led));
                }
                clock.advance(500);
            }
            mock.panel.tick();
            assertThat(mock.panel.shown()).containsEntry("green", "heartbeat");
        }
    }

    @Test
    void configRejectsPinsOfLedsTheWiringHasNot() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HardwareConfig.defaults(HardwareConfig.Platform.MOCK)
                .withWiring(Wiring.RGB, java.util.Map.of("amber", 27))).hasMessageContaining("no LED 'amber'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Wiring.parse("blue")).hasMessageContaining("gpio, rgb or board");
    }
}
