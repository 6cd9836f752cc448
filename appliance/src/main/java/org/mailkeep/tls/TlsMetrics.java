package org.mailkeep.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** Certificate figures on /q/metrics (docs/metrics.md): when the certificate every TLS listener presents expires (read when scraped). */
@Singleton
public class TlsMetrics {

    void register(@Observes StartupEvent event, MeterRegistry registry, CertificateStore certificates) {
        Gauge.builder("mailkeep.certificate.expiry", () -> certificates.current().getNotAfter().getTime() / 1000.0)
                .description("Unix time at which the served certificate expires (notAfter)").baseUnit("timestamp_seconds").register(registry);
        Gauge.builder("mailkeep.certificate.self.signed", () -> certificates.isSelfSigned() ? 1 : 0)
                .description("1 while the served certificate is the self-signed one (no ACME certificate yet)").register(registry);
    }
}
