package org.mailkeep.hardware;

import org.junit.jupiter.api.Test;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Every pattern's timing on Pi4J's mock pins: exactly with a hand-moved clock, and roughly in real time. */
class PatternTimingTest {

    private final ManualClock clock = new ManualClock();

    private MockPanel panel(State state, Set<Activity> activities) {
        MockPanel mock = new MockPanel(HardwareConfig.defaults(HardwareConfig.Platform.MOCK), clock);
        mock.panel.show(state, activities);
        return mock;
    }

    @Test
    void okIsAGreenHeartbeatOfTwoBeatsEveryOneAndAHalfSeconds() {
        try (MockPanel mock = panel(State.OK, Set.of())) {
            assertThat(mock.risingEdges(clock, "green", 3000, 10)).containsExactly(0L, 250L, 1500L, 1750L);
            assertThat(mock.lit("amber") || mock.lit("red") || mock.lit("activity")).isFalse();
        }
    }

    @Test
    void heartbeatBeatsLastOneHundredMilliseconds() {
        try (MockPanel mock = panel(State.OK, Set.of())) {
            List<Long> falling = mock.edges(clock, 1500, 10, () -> !mock.lit("green"));
            assertThat(falling).containsExactly(100L, 350L);
        }
    }

    @Test
    void faultIsARedSlowBlinkOfOneSecondOnOneSecondOff() {
        try (MockPanel mock = panel(State.FAULT, Set.of())) {
            assertThat(mock.risingEdges(clock, "red", 5000, 10)).containsExactly(0L, 2000L, 4000L);
            assertThat(mock.lit("green")).isFalse();
        }
        try (MockPanel mock = panel(State.FAULT, Set.of())) {
            assertThat(mock.edges(clock, 4000, 10, () -> !mock.lit("red"))).containsExactly(1000L, 3000L);
        }
    }

    @Test
    void warningIsSteadyAmber() {
        try (MockPanel mock = panel(State.WARNING, Set.of())) {
            assertThat(mock.risingEdges(clock, "amber", 5000, 10)).containsExactly(0L);
            assertThat(mock.lit("amber")).isTrue();
        }
    }

    @Test
    void mailActivityIsAFourHertzBlinkOnTheActivityLedAndLeavesTheStatusAlone() {
        try (MockPanel mock = panel(State.OK, Set.of(Activity.MAIL_IN))) {
            assertThat(mock.risingEdges(clock, "activity", 1000, 5)).containsExactly(0L, 250L, 500L, 750L);
        }
        try (MockPanel mock = panel(State.OK, Set.of(Activity.MAIL_OUT))) {
            assertThat(mock.edges(clock, 1000, 5, () -> !mock.lit("activity"))).containsExactly(125L, 375L, 625L, 875L);
            // the heartbeat went on underneath: its beats at 1500 and 1750 ms are 500 and 750 ms from here
            assertThat(mock.risingEdges(clock, "green", 1500, 10)).containsExactly(500L, 750L);
        }
    }

    @Test
    void setupBreathesOnAnOnOffLedAsTheBrighterHalfOfEachThreeSeconds() {
        try (MockPanel mock = panel(State.SETUP, Set.of())) {
            assertThat(mock.risingEdges(clock, "amber", 6000, 10)).containsExactly(750L, 3750L);
        }
    }

    @Test
    void setupBreathesSmoothlyOnAPwmLed() {
        HardwareConfig config = HardwareConfig.defaults(HardwareConfig.Platform.MOCK).withPwm("amber", 0, 0);
        try (MockPanel mock = new MockPanel(config, clock)) {
            mock.panel.show(State.SETUP, Set.of());
            Map<Long, Float> expected = Map.of(0L, 0f, 750L, 50f, 1500L, 100f, 2250L, 50f, 3000L, 0f);
            long t = 0;
            for (long at : List.of(0L, 375L, 750L, 1500L, 2250L, 3000L)) {
                clock.advance(at - t);
                t = at;
                mock.panel.tick();
                float duty = mock.duty("amber");
                if (expected.containsKey(at)) {
                    assertThat(duty).as("duty at %d ms", at).isCloseTo(expected.get(at), within(1f));
                } else {
                    assertThat(duty).as("duty at %d ms rises between the marks", at).isBetween(1f, 49f);
                }
            }
        }
    }

    @Test
    void backupRunningAndDoneShowOnTheActivityLed() {
        try (MockPanel mock = panel(State.OK, Set.of(Activity.BACKUP_RUNNING, Activity.MAIL_IN))) {
            assertThat(mock.risingEdges(clock, "activity", 4000, 10)).containsExactly(0L, 2000L);
        }
        try (MockPanel mock = panel(State.OK, Set.of(Activity.BACKUP_DONE_SAFE_TO_REMOVE))) {
            assertThat(mock.risingEdges(clock, "activity", 3000, 10)).containsExactly(0L);
            assertThat(mock.lit("activity")).isTrue();
        }
    }

    @Test
    void shuttingDownIsOnlyAnAmberFastBlinkAndDarkAfterClose() {
        MockPanel mock = panel(State.FAULT, Set.of(Activity.SHUTTING_DOWN, Activity.MAIL_IN));
        assertThat(mock.risingEdges(clock, "amber", 1000, 5)).containsExactly(0L, 250L, 500L, 750L);
        assertThat(mock.lit("red") || mock.lit("green") || mock.lit("activity")).isFalse();
        clock.advance(10);
        mock.panel.tick();
        assertThat(mock.lit("amber")).isTrue();
        mock.panel.close();
        assertThat(mock.context.isShutdown()).isTrue();
    }

    @Test
    void aChangedPatternStartsAtItsBeginning() {
        try (MockPanel mock = panel(State.FAULT, Set.of())) {
            mock.risingEdges(clock, "red", 1300, 10);
            mock.panel.show(State.OK, Set.of());
            assertThat(mock.risingEdges(clock, "green", 300, 10)).containsExactly(0L, 250L);
            assertThat(mock.lit("red")).isFalse();
        }
    }

    /** The real scheduler on the real clock: edge counts and on-time within what scheduling jitter allows. */
    @Test
    void theSchedulerKeepsEveryPatternsTimingInRealTime() throws InterruptedException {
        try (MockPanel ok = new MockPanel(HardwareConfig.defaults(HardwareConfig.Platform.MOCK), InstantSource.system());
             MockPanel fault = new MockPanel(HardwareConfig.defaults(HardwareConfig.Platform.MOCK), InstantSource.system());
             MockPanel setup = new MockPanel(HardwareConfig.defaults(HardwareConfig.Platform.MOCK), InstantSource.system())) {
            ok.panel.show(State.OK, Set.of(Activity.MAIL_IN));
            fault.panel.show(State.FAULT, Set.of());
            setup.panel.show(State.SETUP, Set.of());
            ok.panel.start();
            fault.panel.start();
            setup.panel.start();
            Thread.sleep(100); // let every pattern start

            Sample heartbeat = new Sample(() -> ok.lit("green"));
            Sample fastBlink = new Sample(() -> ok.lit("activity"));
            Sample slowBlink = new Sample(() -> fault.lit("red"));
            Sample breathing = new Sample(() -> setup.lit("amber"));
            long end = System.nanoTime() + 6_000_000_000L; // 4 heartbeats, 3 slow blinks, 24 fast blinks, 2 breaths
            while (System.nanoTime() < end) {
                for (Sample s : List.of(heartbeat, fastBlink, slowBlink, breathing)) {
                    s.take();
                }
                Thread.sleep(2);
            }
            heartbeat.expect(8, 200.0 / 1500);
            fastBlink.expect(24, 0.5);
            slowBlink.expect(3, 0.5);
            breathing.expect(2, 0.5);
        }
    }

    private static final class Sample {
        private final BooleanSupplier lit;
        private boolean was;
        private int rising;
        private int on;
        private int samples;

        Sample(BooleanSupplier lit) {
            this.lit = lit;
            this.was = lit.getAsBoolean();
        }

        void take() {
            boolean now = lit.getAsBoolean();
            if (now && !was) {
                rising++;
            }
            was = now;
            samples++;
            on += now ? 1 : 0;
        }

        void expect(int risingEdges, double onFraction) {
            assertThat(rising).as("rising edges").isBetween(risingEdges - 1, risingEdges + 1);
            assertThat((double) on / samples).as("time lit").isCloseTo(onFraction, within(0.08));
        }
    }
}
