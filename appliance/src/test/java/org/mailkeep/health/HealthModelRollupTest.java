package org.mailkeep.health;

import org.junit.jupiter.api.Test;
import org.mailkeep.box.HealthCheck;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailkeep.box.HealthCheck.Result.fault;
import static org.mailkeep.box.HealthCheck.Result.ok;
import static org.mailkeep.box.HealthCheck.Result.warning;

/** The rollup rules: the worst check wins, setup shows until the wizard is done unless something is faulty. */
class HealthModelRollupTest {

    @Test
    void worstCheckWins() {
        assertThat(HealthModel.rollUp(true, List.of())).isEqualTo(HealthModel.State.OK);
        assertThat(HealthModel.rollUp(true, List.of(ok("a", ""), ok("b", "")))).isEqualTo(HealthModel.State.OK);
        assertThat(HealthModel.rollUp(true, List.of(ok("a", ""), warning("b", "")))).isEqualTo(HealthModel.State.WARNING);
        assertThat(HealthModel.rollUp(true, List.of(warning("a", ""), fault("b", ""), ok("c", "")))).isEqualTo(HealthModel.State.FAULT);
    }

    @Test
    void setupShowsUntilTheWizardIsDoneUnlessSomethingIsBroken() {
        assertThat(HealthModel.rollUp(false, List.of(ok("a", "")))).isEqualTo(HealthModel.State.SETUP);
        assertThat(HealthModel.rollUp(false, List.of(warning("a", "")))).isEqualTo(HealthModel.State.SETUP);
        assertThat(HealthModel.rollUp(false, List.of(warning("a", ""), fault("b", "")))).isEqualTo(HealthModel.State.FAULT);
    }

    @Test
    void everyHealthStateHasALedState() {
        for (HealthModel.State state : HealthModel.State.values()) {
            assertThat(org.mailkeep.hardware.State.valueOf(state.name()).name()).isEqualTo(state.name());
        }
    }
}
