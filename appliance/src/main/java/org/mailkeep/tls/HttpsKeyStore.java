package org.mailkeep.tls;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Files;

/**
 * The HTTPS listener (quarkus.http.ssl-port) serves the {@link CertificateStore}'s certificate: this bean
 * is the key store of the Quarkus TLS configuration "mailkeep" (quarkus.http.tls-configuration-name), so
 * the self-signed certificate exists before the listener starts. On a change it reloads that configuration
 * and fires Quarkus's CertificateUpdatedEvent; the HTTP server then swaps its SSL options in place (new
 * handshakes get the new certificate, open connections are not dropped).
 */
@ApplicationScoped
@Identifier(HttpsKeyStore.TLS_CONFIGURATION)
public class HttpsKeyStore implements KeyStoreProvider {

    static final String TLS_CONFIGURATION = "mailkeep";
    private static final Logger LOG = Logger.getLogger(HttpsKeyStore.class);

    private final CertificateStore store;

    public HttpsKeyStore(CertificateStore store) {
        this.store = store;
    }

    @Override
    public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        try {
            // The PEM contents, not the paths: Vert.x's HttpServer.updateSSLOptions ignores options equal to the
            // current ones, and options naming the same files are equal even when the files changed.
            PemKeyCertOptions options = new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(Files.readAllBytes(store.certFile())))
                    .setKeyValue(Buffer.buffer(Files.readAllBytes(store.keyFile())));
            return new KeyStoreAndKeyCertOptions(options.loadKeyStore(vertx), options);
        } catch (Exception e) {
            throw new IllegalStateException("cannot load " + store.certFile() + ": " + e.getMessage(), e);
        }
    }

    void register(@Observes StartupEvent event, TlsConfigurationRegistry registry, Event<CertificateUpdatedEvent> updated) {
        store.onChange(() -> registry.get(TLS_CONFIGURATION).ifPresent(config -> reload(config, updated)));
    }

    private static void reload(TlsConfiguration config, Event<CertificateUpdatedEvent> updated) {
        if (config.reload()) {
            updated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, config));
        } else {
            LOG.warn("the HTTPS listener could not reload the new certificate; it keeps the old one until restart");
        }
    }
}
