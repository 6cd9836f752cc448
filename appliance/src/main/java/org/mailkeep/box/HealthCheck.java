package org.mailkeep.box;

/**
 * One named check a feature contributes to the health model (a CDI bean implementing this). The model
 * rolls every check up into the box's state and its LED pattern, and /q/health reports each.
 */
public interface HealthCheck {

    enum Level { OK, WARNING, FAULT }

    record Result(String name, Level level, String reason) {
        public static Result ok(String name, String reason) {
            return new Result(name, Level.OK, reason);
        }

        public static Result warning(String name, String reason) {
            return new Result(name, Level.WARNING, reason);
        }

        public static Result fault(String name, String reason) {
            return new Result(name, Level.FAULT, reason);
        }
    }

    /** Evaluates the check now; must be quick (no network round trips: report the last known result instead). */
    Result check();
}
