package org.mailkeep.feature;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.box.Feature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Publishes the enabled ports of every {@link Feature} to a file at start ({@code mailkeep.firewall.ports-file}),
 * so the image's firewall opens exactly what this configuration listens on and nothing from a parallel list.
 * One line per port, {@code <protocol> <port> <name>}; the image's mailkeep-firewall.path reloads nftables
 * when the file changes. Unset (the default outside the image): nothing is written.
 */
@ApplicationScoped
public class PortsFile {

    private static final Logger LOG = Logger.getLogger(PortsFile.class);

    @ConfigMapping(prefix = "mailkeep.firewall")
    public interface Config {
        @WithName("ports-file")
        Optional<String> portsFile();
    }

    private final Features features;
    private final Config config;

    public PortsFile(Features features, Config config) {
        this.features = features;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        config.portsFile().map(Path::of).ifPresent(file -> {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                DataDirectory.writeAtomically(file, render(features.ports()).getBytes(StandardCharsets.US_ASCII));
                LOG.infof("enabled ports written to %s for the firewall", file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the ports file " + file, e);
            }
        });
    }

    /** Sorted by protocol and port, one line each; the same port declared twice appears once. */
    static String render(List<Feature.Port> ports) {
        return ports.stream()
                .filter(p -> p.port() > 0)
                .sorted(Comparator.comparing(Feature.Port::protocol).thenComparingInt(Feature.Port::port))
                .map(p -> p.protocol() + " " + p.port() + " " + p.name() + "\n")
                .distinct()
                .collect(Collectors.joining());
    }
}
