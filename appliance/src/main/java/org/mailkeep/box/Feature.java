package org.mailkeep.box;

import java.nio.file.Path;
import java.util.List;

/**
 * What one feature needs from the box, declared in one place (a CDI bean implementing this): the ports it
 * listens on (the image's firewall opens exactly these), the certificate names it serves (the ACME order
 * covers them), and the paths it keeps state in (the backup copies them). Health checks are
 * {@link org.mailkeep.box.HealthCheck} beans of the same feature.
 */
public interface Feature {

    /**
     * A listening port; {@code port} 0 means disabled by configuration. {@code host} is the address it binds, null
     * for the mail listeners' {@code mailkeep.bind}.
     */
    record Port(String name, int port, String protocol, String host) {
        public Port(String name, int port, String protocol) {
            this(name, port, protocol, null);
        }
    }

    String name();

    default List<Port> ports() {
        return List.of();
    }

    /** Host names (relative to the mail domain, e.g. "mta-sts") or absolute names the certificate must cover. */
    default List<String> certificateNames() {
        return List.of();
    }

    /** Files and directories under the data directory that a backup must contain (the database is always included). */
    default List<Path> backupPaths() {
        return List.of();
    }
}
