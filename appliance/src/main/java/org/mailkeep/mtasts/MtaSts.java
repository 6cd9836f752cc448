package org.mailkeep.mtasts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.mailkeep.dns.Resolver;
import org.mailkeep.store.Database;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * MTA-STS (RFC 8461) for outbound delivery: {@link #policy} answers the policy in force for a destination
 * domain, from the cache or freshly fetched. Discovery is the {@code _mta-sts} TXT record (§3.1) through the
 * one {@link Resolver}; the policy comes from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}
 * (§3.3) over a socket to the address our resolver found, with PKIX and host name checks. A plain socket
 * and a minimal HTTP/1.0 GET are used because java.net.http resolves names with the system resolver, which
 * would bypass ours; the request is one fixed GET without redirects (§3.3 forbids following them).
 */
@ApplicationScoped
public class MtaSts {

    private static final Logger LOG = Logger.getLogger(MtaSts.class);
    static final int MAX_POLICY_BYTES = 64 * 1024;
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);

    /** {@code mailkeep.mta-sts.*}. */
    @ConfigMapping(prefix = "mailkeep.mta-sts")
    public interface Config {
        /** HTTPS port of policy hosts; 443 except in tests. */
        @WithDefault("443")
        int httpsPort();
    }

    private final Resolver resolver;
    private final Database db;
    private final SSLContext tls;
    private final int httpsPort;

    @jakarta.inject.Inject
    public MtaSts(Resolver resolver, Database db, Config config) {
        this(resolver, db, defaultContext(), config.httpsPort());
    }

    public MtaSts(Resolver resolver, Database db, SSLContext tls, int httpsPort) {
        this.resolver = resolver;
        this.db = db;
        this.tls = tls;
        this.httpsPort = httpsPort;
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /** The policy to apply to {@code domain}; empty when it publishes none (or it could not be fetched and none is cached). */
    public Optional<MtaStsPolicy> policy(String domain) {
        long now = System.currentTimeMillis();
        Optional<MtaStsPolicy> cached = cached(domain, now);
        Resolver.Answer txt = resolver.query("_mta-sts." + domain, Type.TXT);
        Optional<String> id = txt.records().stream().filter(TXTRecord.class::isInstance)
                .map(r -> String.join("", ((TXTRecord) r).getStrings()))
                .filter(t -> t.startsWith("v=STSv1")).findFirst()
                .flatMap(MtaSts::idOf);
        if (id.isEmpty()) {
            return cached; // §5.1: a cached policy stays in force when the record goes away
        }
        if (cached.isPresent() && cached.get().id().equals(id.get())) {
            return cached;
        }
        try {
            MtaStsPolicy policy = MtaStsPolicy.parse(id.get(), fetch(domain));
            store(domain, policy, now);
            return Optional.of(policy);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("MTA-STS: cannot fetch the policy of %s: %s%s", domain, e.getMessage(),
                    cached.isPresent() ? " (using the cached one)" : "");
            return cached; // §5: a failed fetch without cache means no policy; with one, keep using it
        }
    }

    static Optional<String> idOf(String record) {
        for (String part : record.split(";")) {
            String p = part.strip();
            if (p.startsWith("id=") && p.substring(3).matches("[A-Za-z0-9]{1,32}")) {
                return Optional.of(p.substring(3));
            }
        }
        return Optional.empty();
    }

    /** §3.3: GET the policy over HTTPS with a valid certificate for mta-sts.<domain>, text/plain, 2xx only. */
    String fetch(String domain) throws IOException {
        String host = "mta-sts." + domain;
        Resolver.Answer a = resolver.query(host, Type.A);
        if (!a.found()) {
            throw new IOException("no address for " + host);
        }
        InetSocketAddress address = new InetSocketAddress(((ARecord) a.records().get(0)).getAddress(), httpsPort);
        try (Socket plain = new Socket()) {
            plain.connect(address, (int) FETCH_TIMEOUT.toMillis());
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, httpsPort, true)) {
                SSLParameters params = socket.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName(host)));
                params.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(params);
                socket.setSoTimeout((int) FETCH_TIMEOUT.toMillis());
                socket.getOutputStream().write(("GET /.well-known/mta-sts.txt HTTP/1.0\r\nHost: " + host
                        + "\r\nUser-Agent: MailKeep\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                return body(socket.getInputStream());
            }
        }
    }

    private static String body(InputStream in) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            response.write(buffer, 0, n);
            if (response.size() > MAX_POLICY_BYTES) {
                throw new IOException("policy larger than " + MAX_POLICY_BYTES + " bytes");
            }
        }
        String text = response.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("malformed HTTP response");
        }
        String head = text.substring(0, end);
        if (!head.matches("(?s)HTTP/1\\.[01] 2\\d\\d.*")) {
            throw new IOException("HTTP status " + head.lines().findFirst().orElse(""));
        }
        if (!head.toLowerCase().matches("(?s).*\r\ncontent-type:\\s*text/plain.*")) {
            throw new IOException("policy is not text/plain"); // §3.3
        }
        return text.substring(end + 4);
    }

    private Optional<MtaStsPolicy> cached(String domain, long now) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT policy_id, body FROM mtasts_policies WHERE domain = ? AND expires_at > ?")) {
                ps.setString(1, domain);
                ps.setLong(2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(MtaStsPolicy.parse(rs.getString(1), rs.getString(2))) : Optional.<MtaStsPolicy>empty();
                }
            }
        });
    }

    private void store(String domain, MtaStsPolicy policy, long now) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO mtasts_policies(domain, policy_id, body, fetched_at, expires_at) "
                    + "VALUES(?, ?, ?, ?, ?) ON CONFLICT(domain) DO UPDATE SET policy_id = excluded.policy_id, body = excluded.body, "
                    + "fetched_at = excluded.fetched_at, expires_at = excluded.expires_at")) {
                ps.setString(1, domain);
                ps.setString(2, policy.id());
                ps.setString(3, policy.body());
                ps.setLong(4, now);
                ps.setLong(5, now + policy.maxAgeSeconds() * 1000);
                ps.executeUpdate();
            }
            return null;
        });
    }
}
