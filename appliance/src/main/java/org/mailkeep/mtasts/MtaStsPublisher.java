package org.mailkeep.mtasts;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.mailkeep.dns.PublishedRecord;
import org.mailkeep.dns.RecordGroup;
import org.mailkeep.dns.RecordSource;
import org.mailkeep.box.Feature;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.tls.CertificateStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * MTA-STS (RFC 8461): the policy at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}, the
 * {@code _mta-sts} TXT record that announces it, and the certificate name the policy host needs. The mode is
 * "testing" while the box serves its self-signed certificate (senders would fail to deliver under
 * "enforce") and "enforce" once a CA-issued certificate is installed; the policy id changes with the text.
 */
@ApplicationScoped
public class MtaStsPublisher implements RecordSource, Feature {

    static final String PATH = "/.well-known/mta-sts.txt";
    /** One week: RFC 8461 §3.2 recommends weeks; short enough to recover from a mistake. */
    static final long MAX_AGE = 604800;

    private final BoxIdentity setup;
    private final CertificateStore certificates;

    public MtaStsPublisher(BoxIdentity setup, CertificateStore certificates) {
        this.setup = setup;
        this.certificates = certificates;
    }

    @Override
    public String name() {
        return "mta-sts";
    }

    @Override
    public List<String> certificateNames() {
        return List.of("mta-sts");
    }

    /** RFC 8461 §3.2: key/value lines separated by CRLF. */
    String policy(String hostname) {
        String mode = certificates.isSelfSigned() ? "testing" : "enforce";
        return "version: STSv1\r\nmode: " + mode + "\r\nmx: " + hostname + "\r\nmax_age: " + MAX_AGE + "\r\n";
    }

    /** RFC 8461 §3.1: id is 1-32 alphanumerics and must change when the policy does: a digest of the policy text. */
    static String id(String policy) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(policy.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<PublishedRecord> records(String domain, String hostname) {
        return List.of(
                new PublishedRecord(RecordGroup.RECOMMENDED, "TXT", "_mta-sts." + domain, "v=STSv1; id=" + id(policy(hostname)),
                        "MTA-STS: tells senders that mail for " + domain + " must be delivered over verified TLS (RFC 8461)."),
                new PublishedRecord(RecordGroup.RECOMMENDED, "CNAME", "mta-sts." + domain, hostname,
                        "Serves the MTA-STS policy from this box."));
    }

    void routes(@Observes Router router) {
        router.get(PATH).handler(this::serve);
    }

    private void serve(RoutingContext ctx) {
        String host = ctx.request().authority() == null ? "" : ctx.request().authority().host().toLowerCase(Locale.ROOT);
        if (setup.domain().isEmpty() || setup.hostname().isEmpty() || !host.equals("mta-sts." + setup.domain().get())) {
            ctx.next(); // RFC 8461 §3.3: the policy lives only on the mta-sts host
            return;
        }
        ctx.vertx().executeBlocking(() -> policy(setup.hostname().get()), false).onComplete(result -> {
            if (result.failed()) {
                ctx.fail(result.cause());
                return;
            }
            ctx.response().putHeader("Content-Type", "text/plain").end(result.result());
        });
    }
}
