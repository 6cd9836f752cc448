package org.mailkeep.feature;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.mailkeep.box.Feature;
import org.mailkeep.config.MailkeepConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Every feature's declaration, and the unions the firewall, ACME and backup use. */
@ApplicationScoped
public class Features {

    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "");

    private final List<Feature> features;
    private final String bind;

    public Features(Instance<Feature> features, MailkeepConfig config) {
        this.features = features.stream().sorted(Comparator.comparing(Feature::name)).toList();
        this.bind = config.bind();
    }

    /**
     * Refuses to start when two enabled listeners would share an address and port: Vert.x lets servers share a port
     * and hands the connections round-robin to both (an IMAPS client got the SMTP banner). Runs before the listeners
     * start (their StartupEvent observers have the default priority).
     */
    void refuseSharedPorts(@Observes @Priority(1) StartupEvent event) {
        List<String> clashes = clashes(ports(), bind);
        if (!clashes.isEmpty()) {
            throw new IllegalStateException("two listeners on one port: " + String.join("; ", clashes)
                    + ". Give each its own port (mailkeep.<listener>.port, quarkus.http.port, quarkus.http.ssl-port; 0 disables one).");
        }
    }

    /** Each pair of enabled ports of one protocol on the same port whose addresses overlap (equal, or one a wildcard). */
    static List<String> clashes(List<Feature.Port> ports, String bind) {
        List<String> clashes = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                Feature.Port a = ports.get(i);
                Feature.Port b = ports.get(j);
                String hostA = a.host() == null ? bind : a.host();
                String hostB = b.host() == null ? bind : b.host();
                if (a.port() > 0 && a.port() == b.port() && a.protocol().equals(b.protocol())
                        && (hostA.equals(hostB) || WILDCARDS.contains(hostA) || WILDCARDS.contains(hostB))) {
                    clashes.add(a.name() + " (" + hostA + ":" + a.port() + ") and " + b.name() + " (" + hostB + ":" + b.port() + ")");
                }
            }
        }
        return clashes;
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
