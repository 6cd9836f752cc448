package org.mailkeep.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.mailkeep.feature.Feature;

import java.util.List;

/**
 * The HTTP listener (wizard, admin UI, API, health): its port is opened by the image's firewall like every
 * other feature's. HTTPS (quarkus.http.ssl-port) is declared by the feature that serves it once it does.
 */
@ApplicationScoped
public class HttpFeature implements Feature {

    private final int httpPort;

    public HttpFeature(@ConfigProperty(name = "quarkus.http.port") int httpPort) {
        this.httpPort = httpPort;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public List<Port> ports() {
        return List.of(new Port("http", httpPort, "tcp"));
    }
}
