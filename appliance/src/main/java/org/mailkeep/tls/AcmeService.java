package org.mailkeep.tls;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.jboss.logging.Logger;
import org.mailkeep.dns.DaemonTimer;
import org.mailkeep.dns.DdnsService;
import org.mailkeep.dns.DnsUpdateException;
import org.mailkeep.dns.RecordCheck;
import org.mailkeep.dns.Rfc2136Updater;
import org.mailkeep.feature.Features;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Settings;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.xbill.DNS.Record;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Certificates from an ACME CA (RFC 8555) with acme4j. The order covers the host name plus every name a
 * {@link org.mailkeep.box.Feature} declares (relative names are under the mail domain). Challenges:
 * HTTP-01 on our HTTP listener ({@link Http01Responder}) or DNS-01 through the RFC 2136 updater of the DDNS
 * settings. Renewal starts at two thirds of the certificate's lifetime; a failure keeps the served
 * certificate and retries with exponential backoff; {@link CertificateHealth} warns 14 days before expiry.
 * A new certificate goes through {@link CertificateStore#install}, which tells every TLS listener.
 */
@ApplicationScoped
public class AcmeService {

    private static final Logger LOG = Logger.getLogger(AcmeService.class);
    static final Duration CHECK_INTERVAL = Duration.ofHours(6);
    static final Duration FIRST_RETRY = Duration.ofMinutes(5);
    static final Duration MAX_RETRY = Duration.ofHours(12);
    static final Duration CHALLENGE_TIMEOUT = Duration.ofMinutes(2);
    static final String CAA_KEY = "acme.caa-identities";
    static final String CHALLENGE_KEY = "acme.challenge";

    public enum State { OFF, WAITING_FOR_SETUP, VALID, ISSUING, FAILING }

    /** What GET /api/tls/certificate shows about ACME. */
    public record Status(State state, String directory, String challenge, Instant lastAttempt, String lastError,
                         Instant renewAfter, Instant nextAttempt) {
    }

    private final AcmeConfig config;
    private final CertificateStore store;
    private final Http01Responder http01;
    private final DdnsService ddns;
    private final BoxIdentity setup;
    private final Features features;
    private final Settings settings;
    private final Path accountKeyFile;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> next;
    private int failures;
    private volatile Status status;

    public AcmeService(AcmeConfig config, CertificateStore store, Http01Responder http01, DdnsService ddns, BoxIdentity setup,
                       Features features, Settings settings, DataDirectory dirs) {
        this.config = config;
        this.store = store;
        this.http01 = http01;
        this.ddns = ddns;
        this.setup = setup;
        this.features = features;
        this.settings = settings;
        this.accountKeyFile = dirs.acme().resolve("account-key.pem");
        this.status = new Status(State.OFF, directory().orElse(null), challenge(), null, null, null, null);
    }

    void start(@Observes StartupEvent event) {
        timer = DaemonTimer.named("acme");
        schedule(Duration.ofSeconds(3));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    public Optional<String> directory() {
        return config.directory().map(String::trim).filter(d -> !d.isEmpty());
    }

    /** The challenge type in use: the one chosen through the API, else mailkeep.acme.challenge. */
    public String challenge() {
        return settings.get(CHALLENGE_KEY).orElse(config.challenge()).toLowerCase(Locale.ROOT);
    }

    public void setChallenge(String challenge) {
        String c = challenge == null ? "" : challenge.trim().toLowerCase(Locale.ROOT);
        if (!c.equals(Http01Challenge.TYPE) && !c.equals(Dns01Challenge.TYPE)) {
            throw new IllegalArgumentException("challenge is http-01 or dns-01");
        }
        settings.put(CHALLENGE_KEY, c);
    }

    public Status status() {
        return status;
    }

    /** The CAA identities the CA announced in its directory (RFC 8555 §7.1.1), once we have talked to it. */
    public List<String> caaIdentities() {
        return settings.get(CAA_KEY).filter(s -> !s.isBlank()).map(s -> List.of(s.split(","))).orElse(List.of());
    }

    /** Starts an issuance now (API "renew"); false when ACME is off or setup is not complete. */
    public boolean renewNow() {
        if (directory().isEmpty() || !setup.isComplete()) {
            return false;
        }
        timer.execute(() -> runSafely(true));
        return true;
    }

    private synchronized void schedule(Duration delay) {
        if (next != null) {
            next.cancel(false);
        }
        next = timer.schedule(() -> runSafely(false), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runSafely(boolean force) {
        Duration wait;
        try {
            wait = run(force);
        } catch (RuntimeException e) {
            LOG.error("certificate renewal failed unexpectedly", e);
            wait = failed("internal error: " + e.getMessage());
        }
        Status s = status;
        status = new Status(s.state(), s.directory(), s.challenge(), s.lastAttempt(), s.lastError(), s.renewAfter(), Instant.now().plus(wait));
        schedule(wait);
    }

    /** One round: issue when needed; returns when to look again. */
    private synchronized Duration run(boolean force) {
        Optional<String> directory = directory();
        if (directory.isEmpty()) {
            status = new Status(State.OFF, null, challenge(), null, null, null, null);
            return CHECK_INTERVAL;
        }
        if (!setup.isComplete()) {
            status = new Status(State.WAITING_FOR_SETUP, directory.get(), challenge(), null, null, null, null);
            return Duration.ofMinutes(1);
        }
        List<String> names = names();
        X509Certificate current = store.current();
        Instant renewAfter = renewAfter(current);
        if (!force && !store.isSelfSigned() && covers(current, names) && Instant.now().isBefore(renewAfter)) {
            failures = 0;
            status = new Status(State.VALID, directory.get(), challenge(), status.lastAttempt(), null, renewAfter, null);
            Duration untilRenewal = Duration.between(Instant.now(), renewAfter);
            return untilRenewal.compareTo(CHECK_INTERVAL) < 0 ? untilRenewal : CHECK_INTERVAL;
        }
        status = new Status(State.ISSUING, directory.get(), challenge(), Instant.now(), status.lastError(), renewAfter, null);
        try {
            issue(directory.get(), names);
        } catch (AcmeException | IOException | GeneralSecurityException | DnsUpdateException e) {
            return failed(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted");
        }
        failures = 0;
        Instant newRenewAfter = renewAfter(store.current());
        status = new Status(State.VALID, directory.get(), challenge(), status.lastAttempt(), null, newRenewAfter, null);
        return Duration.between(Instant.now(), newRenewAfter).compareTo(CHECK_INTERVAL) < 0
                ? Duration.between(Instant.now(), newRenewAfter) : CHECK_INTERVAL;
    }

    /** Keeps the served certificate; next try after 5 min, 10, 20, ... up to 12 h, jittered. */
    private Duration failed(String error) {
        failures++;
        LOG.warnf("certificate issuance failed (attempt %d), keeping the current certificate: %s", failures, error);
        Status s = status;
        status = new Status(State.FAILING, s.directory(), s.challenge(), s.lastAttempt(), error, s.renewAfter(), null);
        long minutes = Math.min(MAX_RETRY.toMinutes(), FIRST_RETRY.toMinutes() << Math.min(failures - 1, 12));
        return Duration.ofSeconds(minutes * 60 * (80 + ThreadLocalRandom.current().nextInt(41)) / 100);
    }

    /** Two thirds into the certificate's lifetime (the issue's renewal rule; Let's Encrypt recommends the same). */
    static Instant renewAfter(X509Certificate cert) {
        Instant from = cert.getNotBefore().toInstant();
        Duration lifetime = Duration.between(from, cert.getNotAfter().toInstant());
        return from.plus(lifetime.multipliedBy(2).dividedBy(3));
    }

    /** Host name first (it becomes the subject), then each feature's names, relative ones under the mail domain. */
    List<String> names() {
        String domain = setup.domain().orElseThrow();
        Set<String> names = new LinkedHashSet<>();
        names.add(setup.hostname().orElseThrow());
        for (String n : features.certificateNames()) {
            names.add((n.contains(".") ? n : n + "." + domain).toLowerCase(Locale.ROOT));
        }
        return new ArrayList<>(names);
    }

    static boolean covers(X509Certificate cert, List<String> names) {
        return dnsNames(cert).stream().map(n -> n.toLowerCase(Locale.ROOT)).toList().containsAll(names);
    }

    /** The certificate's DNS subjectAltNames (RFC 5280 §4.2.1.6, GeneralName type 2). */
    static List<String> dnsNames(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of()
                    : sans.stream().filter(s -> Integer.valueOf(2).equals(s.get(0))).map(s -> s.get(1).toString()).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private void issue(String directory, List<String> names)
            throws AcmeException, IOException, GeneralSecurityException, DnsUpdateException, InterruptedException {
        LOG.infof("requesting a certificate for %s from %s by %s", names, directory, challenge());
        Session session = config.trustCert().filter(s -> !s.isBlank()).isPresent()
                ? new Session(URI.create(directory), new TrustingAcmeProvider(Path.of(config.trustCert().get())))
                : new Session(directory);
        Collection<String> caa = session.getMetadata().getCaaIdentities();
        settings.put(CAA_KEY, String.join(",", caa));
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey())
                .addEmail(config.email().filter(e -> !e.isBlank()).orElse("postmaster@" + setup.domain().orElseThrow()));
        Account account = builder.create(session);
        Order order = account.newOrder().domains(names).create();
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() != org.shredzone.acme4j.Status.VALID) {
                authorize(auth);
            }
        }
        if (order.waitUntilReady(CHALLENGE_TIMEOUT) != org.shredzone.acme4j.Status.READY) {
            throw new AcmeException("the order did not become ready: " + problem(order.getError()));
        }
        KeyPair domainKey = KeyPairUtils.createKeyPair(2048); // RSA: every mail client and MTA accepts it
        order.execute(domainKey);
        if (order.waitForCompletion(CHALLENGE_TIMEOUT) != org.shredzone.acme4j.Status.VALID) {
            throw new AcmeException("the CA did not issue: " + problem(order.getError()));
        }
        StringWriter chain = new StringWriter();
        order.getCertificate().writeCertificate(chain);
        StringWriter key = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(key)) {
            writer.writeObject(new JcaPKCS8Generator(domainKey.getPrivate(), null));
        }
        store.install(chain.toString(), key.toString());
        LOG.infof("installed the CA-issued certificate for %s (valid until %s)", names, store.current().getNotAfter().toInstant());
    }

    private void authorize(Authorization auth) throws AcmeException, DnsUpdateException, InterruptedException, IOException {
        String name = auth.getIdentifier().getDomain();
        if (challenge().equals(Dns01Challenge.TYPE)) {
            Dns01Challenge challenge = auth.findChallenge(Dns01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the CA offers no dns-01 challenge for " + name));
            Rfc2136Updater updater = ddns.rfc2136()
                    .orElseThrow(() -> new AcmeException("dns-01 needs the RFC 2136 dynamic DNS settings (PUT /api/ddns/settings)"));
            // RFC 8555 §8.4: TXT at _acme-challenge.<name> with the key authorization's digest
            Record txt = RecordCheck.txt(challenge.getRRName(auth.getIdentifier()), 60, challenge.getDigest());
            updater.add(txt);
            try {
                complete(challenge, auth, name);
            } finally {
                try {
                    updater.delete(txt);
                } catch (DnsUpdateException e) {
                    LOG.warn("cannot remove the dns-01 record: " + e.getMessage());
                }
            }
        } else {
            Http01Challenge challenge = auth.findChallenge(Http01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the CA offers no http-01 challenge for " + name));
            http01.put(challenge.getToken(), challenge.getAuthorization());
            try {
                complete(challenge, auth, name);
            } finally {
                http01.remove(challenge.getToken());
            }
        }
    }

    private static void complete(Challenge challenge, Authorization auth, String name) throws AcmeException, InterruptedException {
        challenge.trigger();
        if (auth.waitForCompletion(CHALLENGE_TIMEOUT) != org.shredzone.acme4j.Status.VALID) {
            throw new AcmeException(challenge.getType() + " validation of " + name + " failed: " + problem(challenge.getError()));
        }
    }

    private static String problem(Optional<Problem> problem) {
        return problem.map(p -> p.getDetail().orElse(p.getType().toString())).orElse("no reason given");
    }

    /** The account key, created once and kept (the CA identifies the account by it). */
    private KeyPair accountKey() throws IOException {
        if (Files.exists(accountKeyFile)) {
            try (Reader in = Files.newBufferedReader(accountKeyFile, StandardCharsets.US_ASCII)) {
                return KeyPairUtils.readKeyPair(in);
            }
        }
        // RSA from the JDK: acme4j's EC helper needs the BC provider registered, and a JDK EC key's PEM lacks
        // the public key that KeyPairUtils.readKeyPair needs to read it back
        KeyPair key = KeyPairUtils.createKeyPair(2048);
        StringWriter pem = new StringWriter();
        KeyPairUtils.writeKeyPair(key, pem);
        DataDirectory.writeAtomically(accountKeyFile, pem.toString().getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(accountKeyFile, PosixFilePermissions.fromString("rw-------"));
        return key;
    }
}
