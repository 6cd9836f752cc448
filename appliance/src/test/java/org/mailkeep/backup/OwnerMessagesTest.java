package org.mailkeep.backup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What the owner reads about a running or failed operation: the time left, and why a backup failed. */
class OwnerMessagesTest {

    @Test
    void timeLeftFollowsThePaceSoFar() {
        assertThat(BackupService.secondsLeft(Duration.ofSeconds(30), 0, 1_000)).as("nothing done yet: unknown").isNull();
        assertThat(BackupService.secondsLeft(Duration.ofSeconds(30), 500, 0)).as("verifying: no total").isNull();
        assertThat(BackupService.secondsLeft(Duration.ofSeconds(30), 250, 1_000)).isEqualTo(90L);
        assertThat(BackupService.secondsLeft(Duration.ofMinutes(5), 1_000, 1_000)).isZero();
    }

    @Test
    void failuresAreExplainedInTheOwnersTerms() {
        // the errors Linux gives for these cases (root cannot provoke a permission error, so they are built here)
        assertThat(BackupService.explain(new AccessDeniedException("/media/mailkeep-backup/mailkeep-backup")))
                .startsWith("no backup stick is plugged in");
        assertThat(BackupService.explain(new IOException("Read-only file system"))).startsWith("the backup stick is read-only");
        assertThat(BackupService.explain(new IOException("Input/output error"))).startsWith("the backup stick was removed");
        assertThat(BackupService.explain(new BackupStick.StickRemovedException())).startsWith("the backup stick was removed or unmounted during");
    }
}
