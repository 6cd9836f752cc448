package org.mailkeep.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.box.HealthCheck;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Rolls every feature's checks up into one state: setup, ok, warning or fault. */
@ApplicationScoped
public class HealthModel {

    public enum State { SETUP, OK, WARNING, FAULT }

    public record Snapshot(State state, List<HealthCheck.Result> checks) {
    }

    private final Instance<HealthCheck> checks;
    private final BoxIdentity setup;

    public HealthModel(Instance<HealthCheck> checks, BoxIdentity setup) {
        this.checks = checks;
        this.setup = setup;
    }

    public Snapshot snapshot() {
        List<HealthCheck.Result> results = new ArrayList<>();
        for (HealthCheck check : checks) {
            HealthCheck.Result result;
            try {
                result = check.check();
            } catch (RuntimeException e) {
                result = HealthCheck.Result.fault(check.getClass().getSimpleName(), "check failed: " + e.getMessage());
            }
            results.add(result);
        }
        results.sort(Comparator.comparing(HealthCheck.Result::name));
        return new Snapshot(rollUp(setup.isComplete(), results), results);
    }

    /** A fault anywhere wins over warnings; before setup completes the box shows "setup" unless something is faulty. */
    static State rollUp(boolean setupComplete, List<HealthCheck.Result> results) {
        HealthCheck.Level worst = results.stream().map(HealthCheck.Result::level).max(Comparator.naturalOrder()).orElse(HealthCheck.Level.OK);
        if (worst == HealthCheck.Level.FAULT) {
            return State.FAULT;
        }
        if (!setupComplete) {
            return State.SETUP;
        }
        return worst == HealthCheck.Level.WARNING ? State.WARNING : State.OK;
    }
}
