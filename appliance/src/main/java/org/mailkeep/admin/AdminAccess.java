package org.mailkeep.admin;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.mailkeep.store.Settings;
import org.mailkeep.tls.CertificateStore;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Who reaches the admin page (the UI, /api and /q), and how, in front of every route:
 * <ul>
 * <li>with {@code lanOnly} (default on) only clients on loopback, private (RFC 1918, RFC 4193 ULA) or link-local
 * addresses; others get 403. The public parts stay public: ACME http-01 challenges, MTA-STS and client autoconfiguration.</li>
 * <li>once a CA-issued certificate covers the name the browser asked for, plain HTTP to the admin page is redirected to
 * HTTPS (301) and HTTPS answers carry {@code Strict-Transport-Security} (RFC 6797 §7.1; never on HTTP, §7.2). The public
 * parts are never redirected: RFC 8555 §8.3 validates on port 80, and mail clients fetch autoconfiguration over HTTP.
 * The self-signed certificate never triggers either: HSTS would leave no way past its warning.</li>
 * </ul>
 */
@ApplicationScoped
public class AdminAccess {

    /** Settings key of the admin's choice; absent = {@code mailkeep.admin.lan-only}. */
    static final String LAN_ONLY = "admin.lan-only";
    static final String HSTS = "max-age=31536000";

    public enum Decision { PASS, FORBIDDEN, REDIRECT, HSTS }

    private final Settings settings;
    private final CertificateStore certificates;
    private final AdminConfig config;
    private final int sslPort;

    public AdminAccess(Settings settings, CertificateStore certificates, AdminConfig config,
                       @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "443") int sslPort) {
        this.settings = settings;
        this.certificates = certificates;
        this.config = config;
        this.sslPort = sslPort;
    }

    public boolean lanOnly() {
        return settings.get(LAN_ONLY).map(Boolean::parseBoolean).orElse(config.lanOnly());
    }

    public void lanOnly(boolean on) {
        settings.put(LAN_ONLY, Boolean.toString(on));
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, 1000);
    }

    private void filter(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HostAndPort authority = request.authority();
        String host = authority == null ? null : authority.host();
        // the setting (a database read) only for a client from outside, the certificate's names only for the admin page
        Decision decision = decide(ctx.normalizedPath(), address(request.remoteAddress().hostAddress()), request.isSSL(), host, this::lanOnly,
                () -> certificates.isSelfSigned() ? Set.of() : names(certificates.current()));
        switch (decision) {
            case FORBIDDEN -> ctx.response().setStatusCode(403).putHeader("Content-Type", "application/json")
                    .end("{\"error\":\"the admin page answers only on the local network (setting: admin LAN only)\"}");
            case REDIRECT -> ctx.response().setStatusCode(301)
                    .putHeader("Location", "https://" + host + (sslPort == 443 ? "" : ":" + sslPort) + request.uri()).end();
            case HSTS -> {
                ctx.response().putHeader("Strict-Transport-Security", HSTS);
                ctx.next();
            }
            case PASS -> ctx.next();
        }
    }

    /**
     * What to do with a request for {@code path} from {@code client} over HTTPS ({@code ssl}) or HTTP, addressed to
     * {@code host}; {@code httpsHosts} are the names a CA-issued certificate covers (empty while self-signed).
     */
    static Decision decide(String path, InetAddress client, boolean ssl, String host, BooleanSupplier lanOnly, Supplier<Set<String>> httpsHosts) {
        if (isPublic(path)) {
            return Decision.PASS;
        }
        if ((client == null || !local(client)) && lanOnly.getAsBoolean()) {
            return Decision.FORBIDDEN;
        }
        boolean covered = host != null && httpsHosts.get().contains(host.toLowerCase(Locale.ROOT));
        if (!covered) {
            return Decision.PASS;
        }
        return ssl ? Decision.HSTS : Decision.REDIRECT;
    }

    /** The parts served to anyone, over HTTP too: ACME challenges, MTA-STS, client autoconfiguration (docs/interface.md). */
    static boolean isPublic(String path) {
        String p = path == null ? "/" : path.toLowerCase(Locale.ROOT);
        return p.startsWith("/.well-known/") || p.equals("/mail/config-v1.1.xml") || p.startsWith("/autodiscover/") || p.startsWith("/apple/");
    }

    /** Loopback, link-local, RFC 1918 and RFC 6598-free private IPv4, and IPv6 ULA fc00::/7 (RFC 4193). */
    static boolean local(InetAddress client) {
        if (client.isLoopbackAddress() || client.isLinkLocalAddress() || client.isSiteLocalAddress()) {
            return true;
        }
        return client instanceof Inet6Address && (client.getAddress()[0] & 0xfe) == 0xfc;
    }

    private static InetAddress address(String literal) {
        try {
            return literal == null ? null : InetAddress.getByName(literal); // an IP literal: no name lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The DNS names of {@code cert} (RFC 5280 §4.2.1.6 dNSName entries). */
    static Set<String> names(X509Certificate cert) {
        Set<String> names = new HashSet<>();
        try {
            if (cert != null && cert.getSubjectAlternativeNames() != null) {
                for (var entry : cert.getSubjectAlternativeNames()) {
                    if (entry.get(0) instanceof Integer type && type == 2) {
                        names.add(entry.get(1).toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return Set.of();
        }
        return names;
    }
}
