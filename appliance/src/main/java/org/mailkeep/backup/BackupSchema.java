package org.mailkeep.backup;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/** The record of every backup run (time, size, duration, result), kept on the box. */
@ApplicationScoped
public class BackupSchema implements Schema {

    @Override
    public String feature() {
        return "backup";
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE backups (
                  id TEXT PRIMARY KEY,
                  started_at INTEGER NOT NULL,
                  finished_at INTEGER,
                  state TEXT NOT NULL,
                  bytes INTEGER NOT NULL DEFAULT 0,
                  files INTEGER NOT NULL DEFAULT 0,
                  new_files INTEGER NOT NULL DEFAULT 0,
                  error TEXT)
                """);
    }
}
