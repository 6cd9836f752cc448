package org.mailkeep.dns;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.box.BoxIdentity;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Network self-checks: the public IPv4/IPv6 (HTTP echo endpoints, falling back to what the DDNS provider
 * reported), whether outbound port 25 is open, whether the public IPv4 is on a policy/dynamic blocklist,
 * and whether its reverse DNS matches the host name. Results go to {@link NetworkStatus} (read by the
 * health checks and the outbound relay decision); a changed address triggers a DDNS update.
 */
@ApplicationScoped
public class NetworkChecker {

    private static final Logger LOG = Logger.getLogger(NetworkChecker.class);
    static final Duration TIMEOUT = Duration.ofSeconds(8);

    private final NetcheckConfig config;
    private final Resolver resolver;
    private final NetworkStatus status;
    private final BoxIdentity setup;
    private final DdnsService ddns;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
    private ScheduledExecutorService timer;

    public NetworkChecker(NetcheckConfig config, Resolver resolver, NetworkStatus status, BoxIdentity setup, DdnsService ddns) {
        this.config = config;
        this.resolver = resolver;
        this.status = status;
        this.setup = setup;
        this.ddns = ddns;
    }

    void start(@Observes StartupEvent event) {
        timer = DaemonTimer.named("netcheck");
        timer.schedule(this::runAndReschedule, 2, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runAndReschedule() {
        try {
            run();
        } catch (RuntimeException e) {
            LOG.warn("network self-check failed", e);
        }
        timer.schedule(this::runAndReschedule, DdnsService.jittered(config.interval()).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs every check now and publishes the result. */
    public NetworkStatus.Snapshot run() {
        NetworkStatus.Snapshot before = status.last();
        NetworkStatus.Snapshot now = check(setup.hostname().orElse(null));
        status.update(now);
        if (!now.ipv4().equals(before.ipv4()) || !now.ipv6().equals(before.ipv6())) {
            LOG.infof("public address: IPv4 %s, IPv6 %s (%s)", now.ipv4().orElse("unknown"), now.ipv6().orElse("unknown"), now.addressSource());
            ddns.addressesChanged();
        }
        return now;
    }

    NetworkStatus.Snapshot check(String hostname) {
        Optional<String> ipv4 = echo(config.ipv4Echo().orElse(List.of()), Inet4Address.class);
        Optional<String> ipv6 = echo(config.ipv6Echo().orElse(List.of()), Inet6Address.class);
        String source = ipv4.isPresent() || ipv6.isPresent() ? "echo" : "";
        if (ipv4.isEmpty() && status.ddnsReportedIpv4().isPresent()) {
            ipv4 = status.ddnsReportedIpv4();
            source = "ddns";
        }
        List<String> listed = ipv4.map(this::blocklistedOn).orElse(List.of());
        Optional<String> ptr = ipv4.flatMap(this::reverseName);
        Optional<Boolean> matches = ipv4.isEmpty() || hostname == null ? Optional.empty()
                : Optional.of(ptr.isPresent() && ptr.get().equalsIgnoreCase(hostname) && forwardContains(hostname, ipv4.get()));
        return new NetworkStatus.Snapshot(ipv4, ipv6, source, port25(), listed, ptr, matches, Instant.now());
    }

    /** The first echo endpoint that answers an address of the wanted family. */
    private Optional<String> echo(List<String> urls, Class<? extends InetAddress> family) {
        for (String url : urls) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url.trim())).timeout(TIMEOUT)
                        .header("User-Agent", DynDns2Client.USER_AGENT).GET().build(), HttpResponse.BodyHandlers.ofString());
                String text = response.body().strip();
                Optional<InetAddress> address = literal(text);
                if (response.statusCode() == 200 && address.isPresent() && family.isInstance(address.get())) {
                    return Optional.of(address.get().getHostAddress());
                }
                LOG.debugf("echo endpoint %s answered HTTP %d without an address", url, response.statusCode());
            } catch (IOException | IllegalArgumentException e) {
                LOG.debugf("echo endpoint %s: %s", url, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Parses an IP literal without ever resolving a name (InetAddress.getByName would for non-literals). */
    static Optional<InetAddress> literal(String text) {
        if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !text.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private NetworkStatus.Reachability port25() {
        List<String> probes = config.port25Probe().orElse(List.of());
        if (probes.isEmpty()) {
            return NetworkStatus.Reachability.UNKNOWN;
        }
        for (String probe : probes) {
            InetSocketAddress target = DnsjavaResolver.parse(probe.trim());
            try (Socket socket = new Socket()) {
                socket.connect(target, (int) TIMEOUT.toMillis());
                return NetworkStatus.Reachability.REACHABLE;
            } catch (IOException e) {
                LOG.debugf("port 25 probe %s: %s", probe, e.getMessage());
            }
        }
        return NetworkStatus.Reachability.BLOCKED;
    }

    /** RFC 5782 §2.1: the reversed octets under the zone; an A record in 127.0.0.0/8 means listed. */
    private List<String> blocklistedOn(String ipv4) {
        String[] octets = ipv4.split("\\.");
        String reversed = octets[3] + "." + octets[2] + "." + octets[1] + "." + octets[0];
        List<String> listed = new ArrayList<>();
        for (String zone : config.policyBlocklists().orElse(List.of())) {
            Resolver.Answer answer = resolver.query(reversed + "." + zone.trim(), Type.A);
            boolean hit = answer.records().stream().filter(r -> r instanceof ARecord)
                    .map(r -> ((ARecord) r).getAddress().getHostAddress())
                    // 127.255.255.x are list-operator error codes (e.g. "query via public resolver"), not listings
                    .anyMatch(a -> a.startsWith("127.") && !a.startsWith("127.255.255."));
            if (hit) {
                listed.add(zone.trim());
            }
        }
        return listed;
    }

    private Optional<String> reverseName(String ipv4) {
        Resolver.Answer answer = resolver.query(MailRecordSource.reverseName(ipv4), Type.PTR);
        return answer.records().stream().filter(r -> r instanceof PTRRecord)
                .map(r -> ((PTRRecord) r).getTarget().toString(true).toLowerCase(Locale.ROOT)).findFirst();
    }

    /** Forward-confirmed reverse DNS: the PTR name must resolve back to the address. */
    private boolean forwardContains(String hostname, String ipv4) {
        for (Record r : resolver.query(hostname, Type.A).records()) {
            if (r instanceof ARecord a && a.getAddress().getHostAddress().equals(ipv4)) {
                return true;
            }
        }
        return false;
    }
}
