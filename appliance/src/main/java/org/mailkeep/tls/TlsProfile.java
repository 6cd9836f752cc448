package org.mailkeep.tls;

import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TCPSSLOptions;

import java.util.List;
import java.util.Set;

/**
 * The one TLS profile of every listener (SMTP STARTTLS and 465, IMAP STARTTLS and 993, HTTPS): Mozilla's
 * "intermediate" configuration (Server Side TLS 5.7): TLS 1.3 with its AEAD suites, TLS 1.2 only with AEAD suites
 * with forward secrecy (ECDHE or DHE key exchange; RFC 9325 §4.2 recommends exactly these), never CBC, RSA key
 * exchange, TLS 1.1 or older (RFC 8996). Client-initiated renegotiation is refused: it costs the server a full
 * handshake for each request of the client, a cheap CPU attack (RFC 9325 §3.5 allows refusing it; TLS 1.3 has none).
 * <p>
 * The mail listeners apply {@link #apply(TCPSSLOptions)} to their Vert.x options; HTTPS gets the same lists through
 * the Quarkus TLS configuration "mailkeep" ({@link TlsProfileConfigSource}). Vert.x here uses the JDK's TLS engine
 * (no netty-tcnative), whose only switch for renegotiation is the system property
 * {@code jdk.tls.rejectClientInitiatedRenegotiation}, read once when the first server handshake starts
 * (sun.security.ssl.ServerHandshakeContext). This class sets it when it is loaded, which {@link TlsProfileConfigSource}
 * does while Quarkus reads its configuration, before any listener exists.
 */
public final class TlsProfile {

    /** TLS versions offered (RFC 8446, RFC 5246); TLS 1.0 and 1.1 are deprecated by RFC 8996. */
    public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    /** Mozilla intermediate, in its order, by the names the JDK and IANA use. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    static {
        // refuses client-initiated renegotiation in this JVM's TLS engine (see the class comment for why a property)
        System.setProperty(REJECT_RENEGOTIATION, "true");
    }

    private TlsProfile() {
    }

    /** Restricts a listener's options (NetServerOptions) to the profile. */
    public static <T extends TCPSSLOptions> T apply(T options) {
        options.setEnabledSecureTransportProtocols(PROTOCOLS);
        CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
        return options;
    }

    /** The options a listener's certificate reload installs: the new key and certificate under the same profile. */
    public static SSLOptions sslOptions(KeyCertOptions keyCert) {
        SSLOptions options = new SSLOptions().setKeyCertOptions(keyCert).setEnabledSecureTransportProtocols(PROTOCOLS);
        CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
        return options;
    }
}
