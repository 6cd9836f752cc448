package org.mailkeep.dns;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The last result of the network self-checks ({@link NetworkChecker}), for anyone who must decide on it
 * without waiting for the network. The outbound relay fallback reads it like this:
 * <pre>
 *   NetworkStatus.Snapshot net = networkStatus.last();
 *   if (net.port25() == NetworkStatus.Reachability.BLOCKED || !net.blocklistedOn().isEmpty()) { use the relay }
 * </pre>
 * {@code UNKNOWN} means "not checked yet / check disabled": callers treat it as "no evidence", not as blocked.
 * The snapshot is immutable; {@link #last()} never blocks.
 */
@ApplicationScoped
public class NetworkStatus {

    public enum Reachability { UNKNOWN, REACHABLE, BLOCKED }

    /**
     * @param ipv4 public IPv4 address, when detected (echo endpoint, or the DDNS provider's answer)
     * @param ipv6 public IPv6 address, when detected
     * @param addressSource where the addresses came from ("echo", "ddns") or empty
     * @param port25 whether outbound connections to port 25 get through
     * @param blocklistedOn the policy/dynamic blocklist zones (PBL-type) that list the public IPv4
     * @param reverseDns the PTR name of the public IPv4, when it has one
     * @param reverseDnsMatches whether the PTR name is the configured hostname and resolves back (FCrDNS)
     * @param checkedAt when the checks ran; null before the first run
     */
    public record Snapshot(Optional<String> ipv4, Optional<String> ipv6, String addressSource, Reachability port25,
                           List<String> blocklistedOn, Optional<String> reverseDns, Optional<Boolean> reverseDnsMatches,
                           Instant checkedAt) {
        static final Snapshot NONE = new Snapshot(Optional.empty(), Optional.empty(), "", Reachability.UNKNOWN, List.of(),
                Optional.empty(), Optional.empty(), null);
    }

    private final AtomicReference<Snapshot> last = new AtomicReference<>(Snapshot.NONE);
    private final AtomicReference<String> ddnsReportedIpv4 = new AtomicReference<>();

    public Snapshot last() {
        return last.get();
    }

    void update(Snapshot snapshot) {
        last.set(snapshot);
    }

    /** The public IPv4 a DDNS provider reported back ("good 198.51.100.7"): the fallback when no echo endpoint answers. */
    void ddnsReported(String ipv4) {
        ddnsReportedIpv4.set(ipv4);
    }

    Optional<String> ddnsReportedIpv4() {
        return Optional.ofNullable(ddnsReportedIpv4.get());
    }
}
