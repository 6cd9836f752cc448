package org.mailkeep.tls;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.Optional;

/** {@code mailkeep.acme.*} (docs/interface.md). */
@ConfigMapping(prefix = "mailkeep.acme")
public interface AcmeConfig {

    /** ACME directory URL (RFC 8555 §7.1.1); empty = no ACME, the self-signed certificate stays. */
    Optional<String> directory();

    /** PEM file of a CA the ACME server's own HTTPS certificate chains to (a private CA); empty = the JVM's trust store. */
    @WithName("trust-cert")
    Optional<String> trustCert();

    /** Default challenge type: http-01 (port 80 must reach this box) or dns-01 (needs the RFC 2136 DDNS settings). */
    @WithDefault("http-01")
    String challenge();

    /** Contact address for the CA's expiry notices (RFC 8555 §7.3); empty = postmaster of the mail domain. */
    Optional<String> email();
}
