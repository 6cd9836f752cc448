package org.mailkeep.dns;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.store.Settings;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic DNS: keeps the host's A/AAAA records on the current public address, by RFC 2136 (TSIG) or the
 * dyndns2 protocol. Runs on a jittered interval (so a fleet of boxes does not hit a provider in step),
 * backs off exponentially on failure, and stops retrying on answers that need the user (bad key, badauth,
 * nohost, abuse) until the settings change. A failure never changes the zone (RFC 2136 updates are atomic).
 * The published SPF record is "mx"-based ({@link MailRecordSource#spf}), so it follows the new address
 * through the A record and needs no update of its own.
 */
@ApplicationScoped
public class DdnsService {

    private static final Logger LOG = Logger.getLogger(DdnsService.class);
    static final Duration INTERVAL = Duration.ofMinutes(5);
    static final Duration MAX_BACKOFF = Duration.ofHours(1);
    /** dyndns2: after a 911 or dnserr, wait at least 30 minutes (the protocol's documented rule). */
    static final Duration SERVER_ERROR_WAIT = Duration.ofMinutes(30);
    static final String SETTINGS_KEY = "ddns.settings";

    public enum State { OFF, PENDING, OK, FAILING, NEEDS_USER }

    /** What GET /api/ddns shows. */
    public record Status(State state, String method, String hostname, String publishedIpv4, String publishedIpv6,
                         Instant lastSuccess, String lastError, Instant nextAttempt) {
    }

    private final Settings settings;
    private final BoxIdentity setup;
    private final NetworkStatus network;
    private final ObjectMapper json = new ObjectMapper();
    private final DynDns2Client dyndns2 = new DynDns2Client();
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> next;
    private int failures;
    private volatile Status status = new Status(State.OFF, "off", null, null, null, null, null, null);

    public DdnsService(Settings settings, BoxIdentity setup, NetworkStatus network) {
        this.settings = settings;
        this.setup = setup;
        this.network = network;
    }

    void start(@Observes StartupEvent event) {
        timer = DaemonTimer.named("ddns");
        schedule(Duration.ofSeconds(5));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    public DdnsSettings settings() {
        return settings.get(SETTINGS_KEY).map(this::parse).orElse(DdnsSettings.OFF);
    }

    /** Validates and stores new settings, then updates at once. Throws {@link DdnsSettings.Invalid}. */
    public synchronized DdnsSettings save(DdnsSettings requested) {
        DdnsSettings merged = requested.withSecretsFrom(settings()).validated();
        try {
            settings.put(SETTINGS_KEY, json.writeValueAsString(merged));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        failures = 0;
        status = new Status(merged.methodOrOff().equals("off") ? State.OFF : State.PENDING, merged.methodOrOff(),
                null, null, null, null, null, null);
        schedule(Duration.ZERO);
        return merged.withoutSecrets();
    }

    public Status status() {
        return status;
    }

    /** The RFC 2136 updater of the current settings, for ACME DNS-01; empty unless the method is rfc2136. */
    public Optional<Rfc2136Updater> rfc2136() {
        DdnsSettings s = settings();
        return s.methodOrOff().equals("rfc2136") ? Optional.of(rfc2136(s)) : Optional.empty();
    }

    private static Rfc2136Updater rfc2136(DdnsSettings s) {
        return new Rfc2136Updater(DnsjavaResolver.parse(s.server().trim()), s.zone(), new Rfc2136Updater.Key(s.keyName(), s.keyAlgorithm(), s.keySecret()));
    }

    /** Called by the network check when the public address may have changed: update soon. */
    public void addressesChanged() {
        schedule(Duration.ZERO);
    }

    private synchronized void schedule(Duration delay) {
        if (timer == null) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = timer.schedule(this::runSafely, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        Duration wait;
        try {
            wait = runOnce();
        } catch (RuntimeException e) {
            LOG.warn("dynamic DNS update failed", e);
            wait = fail(status.method(), "internal error: " + e.getMessage(), false, null);
        }
        if (wait != null) {
            status = new Status(status.state(), status.method(), status.hostname(), status.publishedIpv4(), status.publishedIpv6(),
                    status.lastSuccess(), status.lastError(), Instant.now().plus(wait));
            schedule(wait);
        }
    }

    /** One round; returns when to run again, or null to wait for the user. */
    Duration runOnce() {
        DdnsSettings s = settings();
        String method = s.methodOrOff();
        if (method.equals("off") || !setup.isComplete()) {
            status = new Status(State.OFF, method, null, null, null, null, null, null);
            return null;
        }
        String hostname = s.hostname() != null && !s.hostname().isBlank() ? s.hostname().trim() : setup.hostname().orElseThrow();
        NetworkStatus.Snapshot net = network.last();
        Optional<String> ipv4 = net.ipv4();
        Optional<String> ipv6 = net.ipv6();
        boolean unchanged = status.state() == State.OK && ipv6.equals(Optional.ofNullable(status.publishedIpv6()))
                && (ipv4.isEmpty() // provider-detected address: re-confirm daily only
                ? status.lastSuccess().isAfter(Instant.now().minus(Duration.ofDays(1)))
                : ipv4.get().equals(status.publishedIpv4()));
        if (unchanged) {
            return jittered(INTERVAL); // nothing changed: providers count repeated "nochg" as abuse
        }
        Update update = update(s, hostname, ipv4, ipv6);
        if (update.ok()) {
            if (update.providerAddress() != null && ipv4.isEmpty()) {
                network.ddnsReported(update.providerAddress());
            }
            return succeed(method, hostname, update.ipv4(), update.ipv6());
        }
        return fail(method, update.error(), update.needsUser(), update.atLeast());
    }

    /**
     * One update's result: {@code ok} with the published addresses ({@code providerAddress}: what a dyndns2 provider
     * saw, when we did not know our address), or the error, whether only the user can fix it, and the least wait.
     */
    public record Update(boolean ok, String hostname, String ipv4, String ipv6, String providerAddress, String error, boolean needsUser,
                         Duration atLeast) {
        static Update failed(String hostname, String error, boolean needsUser, Duration atLeast) {
            return new Update(false, hostname, null, null, null, error, needsUser, atLeast);
        }
    }

    /** Publishes {@code hostname}'s addresses once with settings {@code s}; changes nothing of this service's state. */
    Update update(DdnsSettings s, String hostname, Optional<String> ipv4, Optional<String> ipv6) {
        if (s.methodOrOff().equals("rfc2136")) {
            if (ipv4.isEmpty() && ipv6.isEmpty()) {
                return Update.failed(hostname, "the public IP address is not known yet (configure mailkeep.netcheck echo endpoints)", false, null);
            }
            try {
                Rfc2136Updater updater = rfc2136(s);
                long ttl = s.ttlOrDefault();
                if (ipv4.isPresent()) {
                    updater.replace(List.of(Rfc2136Updater.record(hostname, Type.A, ttl, ipv4.get())));
                }
                if (ipv6.isPresent()) {
                    updater.replace(List.of(Rfc2136Updater.record(hostname, Type.AAAA, ttl, ipv6.get())));
                }
            } catch (DnsUpdateException e) {
                boolean needsUser = e.rcode.equals("REFUSED") || e.rcode.equals("NOTAUTH") || e.rcode.equals("NOTZONE");
                return Update.failed(hostname, e.getMessage(), needsUser, null);
            } catch (IOException | IllegalArgumentException e) {
                return Update.failed(hostname, e.getMessage(), true, null);
            }
            return new Update(true, hostname, ipv4.orElse(null), ipv6.orElse(null), null, null, false, null);
        }
        try {
            DynDns2Client.Result result = dyndns2.update(s.dyndns2Url(), s.username(), s.password(), hostname, ipv4.orElse(null));
            if (result.code().success) {
                return new Update(true, hostname, result.address() != null ? result.address() : ipv4.orElse(null), null, result.address(),
                        null, false, null);
            }
            return Update.failed(hostname, "the provider answered \"" + result.line() + "\"" + explain(result.code()), result.code().needsUser,
                    result.code() == DynDns2Client.Code.SERVER_ERROR || result.code() == DynDns2Client.Code.DNSERR ? SERVER_ERROR_WAIT : null);
        } catch (IOException e) {
            return Update.failed(hostname, e.getMessage(), false, null);
        }
    }

    /**
     * The admin's "test" button: one real update with {@code requested} (the PUT /api/ddns/settings fields; omitted
     * secrets are the stored ones), without saving them or changing the published state. Throws {@link DdnsSettings.Invalid}.
     */
    public Update test(DdnsSettings requested) {
        DdnsSettings s = requested.withSecretsFrom(settings()).validated();
        if (s.methodOrOff().equals("off")) {
            throw new DdnsSettings.Invalid("method", "choose rfc2136 or dyndns2 to test an update");
        }
        String hostname = s.hostname() != null && !s.hostname().isBlank() ? s.hostname().trim() : setup.hostname().orElse(null);
        if (hostname == null) {
            throw new DdnsSettings.Invalid("hostname", "finish setup first, or enter the host name to update");
        }
        NetworkStatus.Snapshot net = network.last();
        return update(s, hostname, net.ipv4(), net.ipv6());
    }

    private Duration succeed(String method, String hostname, String ipv4, String ipv6) {
        failures = 0;
        DdnsMetrics.SUCCESS.increment();
        LOG.infof("dynamic DNS (%s): %s now points at %s %s", method, hostname, ipv4 == null ? "" : ipv4, ipv6 == null ? "" : ipv6);
        status = new Status(State.OK, method, hostname, ipv4, ipv6, Instant.now(), null, null);
        return jittered(INTERVAL);
    }

    private Duration fail(String method, String error, boolean needsUser, Duration atLeast) {
        failures++;
        DdnsMetrics.FAILURE.increment();
        LOG.warnf("dynamic DNS (%s) failed: %s", method, error);
        Status old = status;
        status = new Status(needsUser ? State.NEEDS_USER : State.FAILING, method, old.hostname(), old.publishedIpv4(), old.publishedIpv6(),
                old.lastSuccess(), error, null);
        if (needsUser) {
            return null;
        }
        Duration backoff = backoff(failures);
        return atLeast != null && atLeast.compareTo(backoff) > 0 ? jittered(atLeast) : backoff;
    }

    /** 1, 2, 4, ... minutes, capped at an hour, jittered by ±20%. */
    static Duration backoff(int failures) {
        long minutes = Math.min(MAX_BACKOFF.toMinutes(), 1L << Math.min(failures - 1, 10));
        return jittered(Duration.ofMinutes(minutes));
    }

    static Duration jittered(Duration base) {
        long millis = base.toMillis();
        return Duration.ofMillis(millis - millis / 5 + ThreadLocalRandom.current().nextLong(Math.max(1, 2 * millis / 5)));
    }

    private static String explain(DynDns2Client.Code code) {
        return switch (code) {
            case BADAUTH -> ": the user name or password is wrong";
            case NOHOST -> ": the host name does not exist in this account";
            case NOTFQDN -> ": the host name must be fully qualified";
            case ABUSE -> ": the provider blocked the host for too many updates; unblock it at the provider";
            case SERVER_ERROR, DNSERR -> ": the provider has a problem; retrying in 30 minutes";
            default -> "";
        };
    }

    private DdnsSettings parse(String text) {
        try {
            return json.readValue(text, DdnsSettings.class);
        } catch (JsonProcessingException e) {
            LOG.warn("stored dynamic DNS settings are unreadable; treating them as off: " + e.getMessage());
            return DdnsSettings.OFF;
        }
    }

}
