package org.mailkeep.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.mailkeep.backup.BackupService;
import org.mailkeep.health.HealthModel;
import org.mailkeep.health.StatusLeds;
import org.mailkeep.box.BoxIdentity;

import java.util.List;
import java.util.Map;

@Path("/api/status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    public record Check(String name, String level, String reason) {
    }

    public record Health(String state, List<Check> checks) {
    }

    /**
     * {@code operation}: the backup or restore running now, with its progress, null when none runs;
     * {@code restoreError}: why the last restore failed (nothing was changed), null otherwise.
     */
    public record Status(boolean setupComplete, Health health, Map<String, Object> leds, BackupService.Progress operation, String restoreError) {
    }

    private final BoxIdentity setup;
    private final HealthModel health;
    private final StatusLeds leds;
    private final BackupService backups;

    public StatusResource(BoxIdentity setup, HealthModel health, StatusLeds leds, BackupService backups) {
        this.setup = setup;
        this.health = health;
        this.leds = leds;
        this.backups = backups;
    }

    @GET
    public Status status() {
        HealthModel.Snapshot snapshot = health.snapshot();
        List<Check> checks = snapshot.checks().stream()
                .map(r -> new Check(r.name(), r.level().name().toLowerCase(), r.reason())).toList();
        return new Status(setup.isComplete(), new Health(snapshot.state().name().toLowerCase(), checks), leds.describe(snapshot.state()),
                backups.progress().orElse(null), backups.lastRestoreError().orElse(null));
    }
}
