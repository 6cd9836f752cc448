package org.mailkeep.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.mailkeep.box.HealthCheck;

/** Exposes the health model on /q/health/ready: down only on a fault; warnings are reported but keep the box ready. */
@Readiness
@ApplicationScoped
public class ReadinessChecks implements org.eclipse.microprofile.health.HealthCheck {

    private final HealthModel model;

    public ReadinessChecks(HealthModel model) {
        this.model = model;
    }

    @Override
    public HealthCheckResponse call() {
        HealthModel.Snapshot snapshot = model.snapshot();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("mailkeep").status(snapshot.state() != HealthModel.State.FAULT)
                .withData("state", snapshot.state().name().toLowerCase());
        for (HealthCheck.Result result : snapshot.checks()) {
            builder.withData(result.name(), result.level().name().toLowerCase() + ": " + result.reason());
        }
        return builder.build();
    }
}
