package org.mailkeep.store;

import java.util.List;

/**
 * A feature's own tables, as a forward-only list of migrations. Each feature (store, queue, policy, ...)
 * keeps its own version number in {@code schema_version}, so features evolve independently and a
 * database made by any earlier release upgrades step by step. Never edit a migration that has shipped:
 * append a new one.
 */
public interface Schema {

    /** Stable name of the feature owning these tables, e.g. "store". */
    String feature();

    /** Order in which features are migrated; features whose tables reference others' come later. */
    default int order() {
        return 100;
    }

    /** Migration i (0-based) brings the feature from version i to version i+1. Each may hold several statements separated by ';'. */
    List<String> migrations();
}
