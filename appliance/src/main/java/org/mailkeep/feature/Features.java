package org.mailkeep.feature;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.mailkeep.box.Feature;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** Every feature's declaration, and the unions the firewall, ACME and backup use. */
@ApplicationScoped
public class Features {

    private final List<Feature> features;

    public Features(Instance<Feature> features) {
        this.features = features.stream().sorted(Comparator.comparing(Feature::name)).toList();
    }

    public List<Feature> all() {
        return features;
    }

    /** The enabled ports of every feature. */
    public List<Feature.Port> ports() {
        return features.stream().flatMap(f -> f.ports().stream()).filter(p -> p.port() > 0).toList();
    }

    public List<Path> backupPaths() {
        return features.stream().flatMap(f -> f.backupPaths().stream()).distinct().toList();
    }

    public List<String> certificateNames() {
        return features.stream().flatMap(f -> f.certificateNames().stream()).distinct().toList();
    }
}
