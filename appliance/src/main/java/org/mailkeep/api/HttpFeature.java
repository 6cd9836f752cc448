package org.mailkeep.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.mailkeep.box.Feature;

import java.util.List;

/**
 * The HTTP listeners (wizard, admin UI, API, health; ACME's http-01 challenge on the plain port): their ports
 * are opened by the image's firewall like every other feature's. HTTPS serves the {@link org.mailkeep.tls.CertificateStore}'s
 * certificate (tls.HttpsKeyStore).
 */
@ApplicationScoped
public class HttpFeature implements Feature {

    private final int httpPort;
    private final int httpsPort;
    private final String host;

    public HttpFeature(@ConfigProperty(name = "quarkus.http.port") int httpPort,
                       @ConfigProperty(name = "quarkus.http.ssl-port") int httpsPort,
                       @ConfigProperty(name = "quarkus.http.host") String host) {
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.host = host;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public List<Port> ports() {
        return List.of(new Port("http", httpPort, "tcp", host), new Port("https", httpsPort, "tcp", host));
    }
}
