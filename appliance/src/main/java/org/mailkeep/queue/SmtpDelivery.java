package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.mailkeep.mtasts.MtaSts;
import org.mailkeep.mtasts.MtaStsPolicy;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One delivery attempt of one message to the recipients of one domain, directly to the domain's MXs or
 * through the relay. Returns an {@link Outcome} per recipient; the caller records them. No state of its own
 * except the fallback evidence it reports.
 */
@ApplicationScoped
public class SmtpDelivery {

    private static final Logger LOG = Logger.getLogger(SmtpDelivery.class);

    /** The message as the attempt needs it. */
    record Message(String envelopeFrom, java.nio.file.Path file, long size, byte[] prefix, boolean body8bit, boolean smtputf8) {
    }

    /** Outcomes by recipient id, plus a fallback trigger seen on the direct path (null when none). */
    record Attempt(Map<Long, Outcome> outcomes, Fallback.Trigger trigger, String evidence) {
    }

    private final MxLookup mx;
    private final MtaSts mtaSts;
    private final OutboundConfig config;
    private final Fallback fallback;

    public SmtpDelivery(MxLookup mx, MtaSts mtaSts, OutboundConfig config, Fallback fallback) {
        this.mx = mx;
        this.mtaSts = mtaSts;
        this.config = config;
        this.fallback = fallback;
    }

    // ---------------------------------------------------------------- direct

    Attempt direct(Message m, String domain, Map<Long, String> rcpts, String ehlo) {
        MxLookup.Result hosts = mx.lookup(domain);
        if (hosts.permanentError() != null) {
            return all(rcpts, Outcome.permanent(hosts.permanentError(), null), null, null);
        }
        if (hosts.temporaryError() != null) {
            return all(rcpts, Outcome.temporary(hosts.temporaryError(), null), null, null);
        }
        Optional<MtaStsPolicy> policy = mtaSts.policy(domain).filter(p -> p.mode() != MtaStsPolicy.Mode.NONE);
        boolean enforce = policy.isPresent() && policy.get().mode() == MtaStsPolicy.Mode.ENFORCE;
        List<MxLookup.Host> candidates = new ArrayList<>();
        for (MxLookup.Host host : hosts.hosts()) {
            if (policy.isEmpty() || policy.get().matches(host.name())) {
                candidates.add(host);
            } else if (enforce) {
                LOG.infof("MTA-STS: %s is not an MX allowed by the policy of %s: skipped", host.name(), domain);
            } else {
                LOG.infof("MTA-STS (testing): %s does not match the policy of %s", host.name(), domain);
                candidates.add(host);
            }
        }
        if (candidates.isEmpty()) {
            return all(rcpts, Outcome.temporary("4.7.5 the MTA-STS policy of " + domain + " allows none of its MX hosts", null), null, null);
        }
        List<String> evidence = new ArrayList<>();
        int connectFailures = 0;
        int tried = 0;
        String reputationEvidence = null;
        for (MxLookup.Host host : candidates) {
            for (InetAddress address : host.addresses()) {
                tried++;
                InetSocketAddress target = new InetSocketAddress(address, config.port());
                String where = host.name() + "[" + address.getHostAddress() + "]:" + config.port();
                for (boolean tryTls : new boolean[] {true, false}) {
                    SmtpClient client;
                    try {
                        client = SmtpClient.connect(target, host.name(), config.connectTimeout(), null, false);
                    } catch (ConnectException | NoRouteToHostException e) {
                        connectFailures++;
                        evidence.add("connection refused by " + where);
                        break;
                    } catch (SocketTimeoutException e) {
                        connectFailures++;
                        evidence.add("connection to " + where + " timed out after " + config.connectTimeout().toSeconds() + "s");
                        break;
                    } catch (IOException e) {
                        evidence.add(where + ": " + e.getMessage());
                        break;
                    }
                    try (client) {
                        Session session = directSession(client, m, rcpts, ehlo, host.name(), tryTls, enforce);
                        if (session.outcomes != null) {
                            if (session.reputation != null) {
                                return new Attempt(session.outcomes, Fallback.Trigger.REPUTATION, where + " said: " + session.reputation);
                            }
                            return new Attempt(session.outcomes, null, null);
                        }
                        evidence.add(where + ": " + session.problem);
                        if (session.reputation != null) {
                            reputationEvidence = where + " said: " + session.reputation;
                        }
                        if (!session.retryWithoutTls) {
                            break;
                        }
                    } catch (IOException e) {
                        evidence.add(where + ": " + e.getMessage());
                        break;
                    }
                }
            }
        }
        String summary = "4.4.1 no MX of " + domain + " took the message: " + String.join("; ", evidence);
        if (reputationEvidence != null) {
            return all(rcpts, new Outcome(Outcome.Kind.TEMPORARY, "4.7.1", summary, null, true), Fallback.Trigger.REPUTATION, reputationEvidence);
        }
        Fallback.Trigger trigger = connectFailures == tried ? Fallback.Trigger.PORT25_UNREACHABLE : null;
        return all(rcpts, Outcome.temporary(summary, null), trigger, trigger == null ? null : String.join("; ", evidence));
    }

    /** Result of one SMTP session: outcomes once a transaction was decided, else why this host could not take it. */
    private static final class Session {
        Map<Long, Outcome> outcomes;
        String problem;
        String reputation;
        boolean retryWithoutTls;
    }

    private Session directSession(SmtpClient client, Message m, Map<Long, String> rcpts, String ehlo, String mxName,
                                  boolean tryTls, boolean enforce) throws IOException {
        Session s = new Session();
        SmtpReply greeting = client.greeting();
        if (!greeting.positive()) {
            return refuse(s, client, "greeting " + greeting, greeting); // RFC 5321 §3.1: try the next MX
        }
        SmtpReply hello = client.ehlo(ehlo);
        if (!hello.positive()) {
            return refuse(s, client, "EHLO " + hello, hello);
        }
        if (client.supports("STARTTLS") && tryTls) {
            try {
                SmtpReply tls = client.startTls(enforce ? pkix(null) : opportunistic(), mxName, enforce);
                if (tls.code() != 220) {
                    if (enforce) {
                        return refuse(s, client, "4.7.5 STARTTLS refused (" + tls + ") but MTA-STS requires TLS", tls);
                    }
                } else {
                    hello = client.ehlo(ehlo);
                    if (!hello.positive()) {
                        return refuse(s, client, "EHLO after STARTTLS " + hello, hello);
                    }
                }
            } catch (SSLException e) {
                s.problem = (enforce ? "4.7.5 MTA-STS: " : "") + "TLS handshake failed: " + e.getMessage();
                s.retryWithoutTls = !enforce; // RFC 7435: opportunistic TLS may fall back to cleartext on a new connection
                return s;
            }
        } else if (enforce) {
            s.problem = "4.7.5 " + mxName + " offers no STARTTLS but the MTA-STS policy requires TLS";
            client.quit();
            return s;
        }
        s.outcomes = transaction(client, m, rcpts);
        s.outcomes.values().stream().filter(Outcome::reputation).findFirst().ifPresent(o -> s.reputation = o.text());
        return s;
    }

    private static Session refuse(Session s, SmtpClient client, String problem, SmtpReply reply) {
        s.problem = problem;
        if (Fallback.isReputation(reply)) {
            s.reputation = reply.toString();
        }
        client.quit();
        return s;
    }

    // ---------------------------------------------------------------- relay

    /** Through the smarthost: TLS required with a verified certificate, AUTH when credentials are set. */
    Attempt relay(Message m, Map<Long, String> rcpts, RelaySettings.Relay relay, String ehlo) {
        String where = relay.host() + ":" + relay.port();
        Stage stage = new Stage();
        try (SmtpClient client = openRelay(relay, ehlo, stage)) {
            if (stage.problem != null) {
                return relayProblem(rcpts, stage.problem);
            }
            Map<Long, Outcome> outcomes = transaction(client, m, rcpts);
            fallback.relayProblem("");
            return new Attempt(outcomes, null, null);
        } catch (SSLException e) {
            return relayProblem(rcpts, "TLS with relay " + where + " failed: " + e.getMessage());
        } catch (IOException e) {
            return relayProblem(rcpts, "relay " + where + ": " + e.getMessage());
        }
    }

    /** What a relay test found: {@code stage} is where it stopped (connect, tls, ehlo, auth) or "done". */
    public record RelayProbe(boolean ok, String stage, String message) {
    }

    /**
     * Connects to {@code relay} exactly as a delivery does (TLS with the certificate checked, EHLO, AUTH), then QUITs
     * without sending anything: the admin's "test" button. Changes nothing of the queue's state.
     */
    public RelayProbe testRelay(RelaySettings.Relay relay, String ehlo) {
        String where = relay.host() + ":" + relay.port();
        Stage stage = new Stage();
        try (SmtpClient client = openRelay(relay, ehlo, stage)) {
            if (stage.problem != null) {
                return new RelayProbe(false, stage.name, stage.problem);
            }
            client.quit();
            return new RelayProbe(true, "done", "relay " + where + " accepted TLS" + (relay.hasCredentials() ? " and the credentials" : ""));
        } catch (SSLException e) {
            return new RelayProbe(false, "tls", "TLS with relay " + where + " failed: " + e.getMessage());
        } catch (IOException e) {
            return new RelayProbe(false, stage.name, "relay " + where + ": " + e.getMessage());
        }
    }

    /** How far {@link #openRelay} got, and why it stopped short (null when the relay is ready for MAIL). */
    private static final class Stage {
        String name = "connect";
        String problem;

        void fail(String problem) {
            this.problem = problem;
        }
    }

    /** A connection to the relay ready for MAIL, or with {@code stage.problem} set; throws on connection and TLS failures. */
    private SmtpClient openRelay(RelaySettings.Relay relay, String ehlo, Stage stage) throws IOException {
        String where = relay.host() + ":" + relay.port();
        SSLSocketFactory tls = pkix(relay.caPem());
        InetSocketAddress address = new InetSocketAddress(relay.host(), relay.port());
        SmtpClient client = SmtpClient.connect(address, relay.host(), config.connectTimeout(),
                relay.tls() == RelaySettings.TlsMode.IMPLICIT ? tls : null, true);
        try {
            SmtpReply greeting = client.greeting();
            if (!greeting.positive()) {
                stage.fail("relay " + where + " greeted with " + greeting);
                return client;
            }
            stage.name = "ehlo";
            SmtpReply hello = client.ehlo(ehlo);
            if (!hello.positive()) {
                stage.fail("relay " + where + " refused EHLO: " + hello);
                return client;
            }
            if (relay.tls() == RelaySettings.TlsMode.STARTTLS) {
                stage.name = "tls";
                if (!client.supports("STARTTLS")) {
                    stage.fail("relay " + where + " does not offer STARTTLS, which is required");
                    return client;
                }
                SmtpReply started = client.startTls(tls, relay.host(), true);
                if (started.code() != 220) {
                    stage.fail("relay " + where + " refused STARTTLS: " + started);
                    return client;
                }
                stage.name = "ehlo";
                client.ehlo(ehlo);
            }
            if (relay.hasCredentials()) {
                stage.name = "auth";
                if (!client.supports("AUTH")) {
                    stage.fail("relay " + where + " offers no AUTH, but credentials are configured");
                    return client;
                }
                SmtpReply auth = client.authenticate(relay.username(), relay.password() == null ? "" : relay.password());
                if (!auth.positive()) {
                    stage.fail("relay " + where + " refused authentication: " + auth);
                    return client;
                }
            }
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The relay does not take mail at all (TLS, AUTH, unreachable): everything stays queued and the problem is shown. */
    private Attempt relayProblem(Map<Long, String> rcpts, String problem) {
        fallback.relayProblem(problem);
        LOG.warn(problem);
        return all(rcpts, Outcome.temporary("4.4.0 " + problem, null), null, null);
    }

    // ---------------------------------------------------------------- transaction

    /** MAIL, RCPT (pipelined when offered, RFC 2920), DATA; the outcome of each recipient. */
    private Map<Long, Outcome> transaction(SmtpClient client, Message m, Map<Long, String> rcpts) throws IOException {
        String remote = client.remote();
        String sizeLimit = client.extensions().get("SIZE");
        long total = m.size() + m.prefix().length;
        if (sizeLimit != null && sizeLimit.matches("\\d+") && Long.parseLong(sizeLimit) > 0 && total > Long.parseLong(sizeLimit)) {
            client.quit();
            return all(rcpts, Outcome.permanent("5.3.4 message of " + total + " bytes exceeds the limit of " + sizeLimit + " bytes of " + remote, remote), null, null).outcomes();
        }
        StringBuilder mail = new StringBuilder("MAIL FROM:<" + m.envelopeFrom() + ">");
        if (sizeLimit != null) {
            mail.append(" SIZE=").append(total); // RFC 1870
        }
        if (m.body8bit()) {
            if (!client.supports("8BITMIME")) {
                client.quit(); // RFC 6152 §3: no 8-bit data to a server without 8BITMIME; converting would break the DKIM signature
                return all(rcpts, Outcome.permanent("5.6.3 " + remote + " does not accept 8-bit content (no 8BITMIME)", remote), null, null).outcomes();
            }
            mail.append(" BODY=8BITMIME");
        }
        if (m.smtputf8()) {
            if (!client.supports("SMTPUTF8")) {
                client.quit(); // RFC 6531 §3.2: the message needs SMTPUTF8; there is no downgrade
                return all(rcpts, Outcome.permanent("5.6.7 " + remote + " does not support internationalized mail (no SMTPUTF8)", remote), null, null).outcomes();
            }
            mail.append(" SMTPUTF8");
        }
        Map<Long, Outcome> outcomes = new LinkedHashMap<>();
        List<Long> accepted = new ArrayList<>();
        SmtpReply mailReply;
        if (client.supports("PIPELINING")) {
            client.send(mail.toString());
            rcpts.values().forEach(r -> sendQuietly(client, "RCPT TO:<" + r + ">"));
            client.flush();
            mailReply = client.read(SmtpClient.MAIL_TIMEOUT);
            for (Map.Entry<Long, String> r : rcpts.entrySet()) {
                SmtpReply reply = client.read(SmtpClient.RCPT_TIMEOUT);
                record(outcomes, accepted, r.getKey(), mailReply.positive() ? reply : mailReply, remote);
            }
        } else {
            mailReply = client.command(mail.toString(), SmtpClient.MAIL_TIMEOUT);
            for (Map.Entry<Long, String> r : rcpts.entrySet()) {
                SmtpReply reply = mailReply.positive() ? client.command("RCPT TO:<" + r.getValue() + ">", SmtpClient.RCPT_TIMEOUT) : mailReply;
                record(outcomes, accepted, r.getKey(), reply, remote);
            }
        }
        if (accepted.isEmpty()) {
            client.quit();
            return outcomes;
        }
        SmtpReply data = client.command("DATA", SmtpClient.DATA_INIT_TIMEOUT);
        if (data.code() != 354) {
            accepted.forEach(id -> outcomes.put(id, Outcome.of(data, remote)));
            client.quit();
            return outcomes;
        }
        SmtpReply done;
        try (InputStream content = Files.newInputStream(m.file())) {
            done = client.data(m.prefix(), content);
        }
        accepted.forEach(id -> outcomes.put(id, Outcome.of(done, remote)));
        client.quit();
        return outcomes;
    }

    private static void record(Map<Long, Outcome> outcomes, List<Long> accepted, long id, SmtpReply reply, String remote) {
        if (reply.positive()) {
            accepted.add(id); // decided only by the reply to the final dot
        } else {
            outcomes.put(id, Outcome.of(reply, remote));
        }
    }

    private static void sendQuietly(SmtpClient client, String line) {
        try {
            client.send(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Attempt all(Map<Long, String> rcpts, Outcome outcome, Fallback.Trigger trigger, String evidence) {
        Map<Long, Outcome> outcomes = new LinkedHashMap<>();
        rcpts.keySet().forEach(id -> outcomes.put(id, outcome));
        return new Attempt(outcomes, trigger, evidence);
    }

    // ---------------------------------------------------------------- TLS

    /** Opportunistic TLS (RFC 7435): encrypt with whatever certificate the MX has; authentication is MTA-STS's job. */
    private static SSLSocketFactory opportunistic() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // unauthenticated encryption by design (RFC 7435 §1.3); better than cleartext
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS unavailable: " + e.getMessage(), e);
        }
    }

    /** PKIX with the JDK's CAs, plus {@code extraCaPem} when given (a relay with a private CA). */
    private static SSLSocketFactory pkix(String extraCaPem) throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (extraCaPem == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                system.init((KeyStore) null);
                int i = 0;
                for (TrustManager tm : system.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x) {
                        for (X509Certificate ca : x.getAcceptedIssuers()) {
                            store.setCertificateEntry("system-" + i++, ca);
                        }
                    }
                }
                for (var cert : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(extraCaPem.getBytes(StandardCharsets.US_ASCII)))) {
                    store.setCertificateEntry("relay-" + i++, cert);
                }
                tmf.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up certificate checking: " + e.getMessage(), e);
        }
    }
}
