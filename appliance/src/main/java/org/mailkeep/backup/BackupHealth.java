package org.mailkeep.backup;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.HealthCheck;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Warns when no backup is set up, the stick holds markers that are not genuine, the newest successful one is older than two days, or the last run failed. */
@ApplicationScoped
public class BackupHealth implements HealthCheck {

    static final Duration MAX_AGE = Duration.ofDays(2);

    private final BackupService backups;

    public BackupHealth(BackupService backups) {
        this.backups = backups;
    }

    @Override
    public Result check() {
        Optional<BackupService.Progress> running = backups.progress();
        if (running.isPresent()) {
            return Result.ok("backup", running.get().operation() + " " + running.get().id() + " running: " + running.get().phase());
        }
        if (!backups.isConfigured()) {
            return Result.warning("backup", "no backup set up yet: plug in a USB stick and choose a backup passphrase");
        }
        List<BackupStick.Rejected> ignored = backups.ignoredMarkers();
        if (!ignored.isEmpty()) {
            return Result.warning("backup", "the stick holds " + ignored.size() + " backup marker(s) MailKeep did not write, ignored: snapshots/"
                    + ignored.get(0).snapshot() + ": " + ignored.get(0).reason());
        }
        Optional<BackupService.Run> last = backups.runs().stream().findFirst();
        Optional<Instant> lastSuccess = backups.lastSuccess();
        if (lastSuccess.isEmpty() || lastSuccess.get().isBefore(backups.clock().instant().minus(MAX_AGE))) {
            String why = last.filter(r -> r.state().equals("failed")).map(r -> ": last attempt failed: " + r.error()).orElse("");
            return Result.warning("backup", (lastSuccess.isEmpty() ? "no successful backup yet" : "last successful backup is older than 2 days") + why);
        }
        if (last.isPresent() && last.get().state().equals("failed")) {
            return Result.warning("backup", "the last backup failed: " + last.get().error() + " (the backup of " + lastSuccess.get() + " is intact)");
        }
        return Result.ok("backup", "last successful backup " + lastSuccess.get());
    }
}
