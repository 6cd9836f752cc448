package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.Feature;
import org.mailkeep.store.DataDirectory;

import java.nio.file.Path;
import java.util.List;

/** Outbound delivery listens on no port; it keeps the relay credentials and the DKIM keys (backed up). */
@ApplicationScoped
public class OutboundFeature implements Feature {

    private final DataDirectory dirs;

    public OutboundFeature(DataDirectory dirs) {
        this.dirs = dirs;
    }

    @Override
    public String name() {
        return "outbound";
    }

    @Override
    public List<Path> backupPaths() {
        return List.of(dirs.relayCredentials(), dirs.dkim());
    }
}
