package org.mailkeep.tls;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.Feature;
import org.mailkeep.store.DataDirectory;

import java.nio.file.Path;
import java.util.List;

/** The served certificate, its key and the ACME account key are part of every backup, so a restored box presents the same certificate and keeps its CA account. */
@ApplicationScoped
public class TlsFeature implements Feature {

    private final DataDirectory dirs;

    public TlsFeature(DataDirectory dirs) {
        this.dirs = dirs;
    }

    @Override
    public String name() {
        return "tls";
    }

    @Override
    public List<Path> backupPaths() {
        return List.of(dirs.tls(), dirs.acme());
    }
}
