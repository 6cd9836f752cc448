package org.mailkeep.store;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.Feature;

import java.nio.file.Path;
import java.util.List;

/** The store keeps the message files (the database itself is always in a backup). */
@ApplicationScoped
public class StoreFeature implements Feature {

    private final DataDirectory dirs;

    public StoreFeature(DataDirectory dirs) {
        this.dirs = dirs;
    }

    @Override
    public String name() {
        return "store";
    }

    @Override
    public List<Path> backupPaths() {
        return List.of(dirs.messages());
    }
}
