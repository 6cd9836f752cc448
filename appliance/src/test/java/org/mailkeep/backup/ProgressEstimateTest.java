package org.mailkeep.backup;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressEstimateTest {

    @Test
    void timeLeftFollowsThePaceSoFar() {
        assertThat(BackupService.secondsLeft(Duration.ofSeconds(30), 0, 1_000)).as("nothing done yet: unknown").isNull();
        assertThat(BackupService.secondsLeft(Duration.ofSeconds(30), 500, 0)).as("verifying: no total").isNull();
        assertThat(BackupService.secondsLeft(Duration.ofSeconds(30), 250, 1_000)).isEqualTo(90L);
        assertThat(BackupService.secondsLeft(Duration.ofMinutes(5), 1_000, 1_000)).isZero();
    }
}
