package org.mailkeep.store;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.HealthCheck;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;

/** The store's checks: the database answers, and the data directory has room for mail. */
@ApplicationScoped
public class StoreHealth implements HealthCheck {

    static final long WARN_FREE_BYTES = 1L << 30;
    static final long FAULT_FREE_BYTES = 100L << 20;

    private final Database db;
    private final DataDirectory dirs;

    public StoreHealth(Database db, DataDirectory dirs) {
        this.db = db;
        this.dirs = dirs;
    }

    @Override
    public Result check() {
        try {
            db.read(c -> c.createStatement().executeQuery("SELECT 1").next());
        } catch (StoreException e) {
            return Result.fault("store", "database does not answer: " + e.getMessage());
        }
        long free;
        try {
            FileStore fs = Files.getFileStore(dirs.root());
            free = fs.getUsableSpace();
        } catch (IOException e) {
            return Result.fault("store", "cannot read free space of " + dirs.root() + ": " + e.getMessage());
        }
        String freeText = (free >> 20) + " MiB free";
        if (free < FAULT_FREE_BYTES) {
            return Result.fault("store", "disk almost full: " + freeText);
        }
        if (free < WARN_FREE_BYTES) {
            return Result.warning("store", "disk space low: " + freeText);
        }
        return Result.ok("store", "database answers, " + freeText);
    }
}
