package org.mailkeep.tls;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.HealthCheck;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/** The served certificate: a warning 14 days before it expires, a fault once it has, a warning while ACME fails. */
@ApplicationScoped
public class CertificateHealth implements HealthCheck {

    static final Duration WARN_BEFORE_EXPIRY = Duration.ofDays(14);

    private final CertificateStore store;
    private final AcmeService acme;

    public CertificateHealth(CertificateStore store, AcmeService acme) {
        this.store = store;
        this.acme = acme;
    }

    @Override
    public Result check() {
        X509Certificate cert = store.current();
        Instant expires = cert.getNotAfter().toInstant();
        AcmeService.Status s = acme.status();
        String failing = s.state() == AcmeService.State.FAILING ? "; renewal is failing: " + s.lastError() : "";
        if (Instant.now().isAfter(expires)) {
            return Result.fault("certificate", "the certificate expired on " + expires + failing);
        }
        if (Instant.now().plus(WARN_BEFORE_EXPIRY).isAfter(expires)) {
            return Result.warning("certificate", "the certificate expires on " + expires + failing);
        }
        if (!failing.isEmpty()) {
            return Result.warning("certificate", "certificate renewal is failing (the current certificate stays in use): " + s.lastError());
        }
        return Result.ok("certificate", (store.isSelfSigned() ? "self-signed" : "CA-issued") + " certificate valid until " + expires);
    }
}
