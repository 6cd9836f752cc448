package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.mailkeep.dns.NetworkStatus;
import org.mailkeep.store.Database;
import org.mailkeep.store.Settings;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Why direct delivery does not work from this box, with the evidence. A trigger (port 25 unreachable, a
 * reply that names the sending IP's reputation) makes the state "active": in fallback mode mail then goes
 * through the relay, the health check turns amber with the reason, and the SPF record includes the relay.
 * The state clears on the next successful direct delivery. The network self-checks ({@link NetworkStatus})
 * are a second source: while they find our public IP on a policy blocklist, or port 25 blocked, the state is
 * active whatever direct deliveries do (a receiver that does not check the list proves nothing for those that
 * do), and it ends when a later check no longer finds it. Every trigger is kept in
 * {@code queue_fallback_events} for the API.
 */
@ApplicationScoped
public class Fallback {

    private static final Logger LOG = Logger.getLogger(Fallback.class);

    public enum Trigger {
        PORT25_UNREACHABLE("outbound port 25 unreachable"),
        REPUTATION("the receiving server refuses this IP address (reputation/blocklist)"),
        BLOCKLISTED("our public IP address is on a policy blocklist of dynamic/residential addresses");

        public final String description;

        Trigger(String description) {
            this.description = description;
        }
    }

    public record State(long since, Trigger trigger, String evidence) {
    }

    public record Event(long at, String trigger, String evidence) {
    }

    /**
     * Replies that are about the sending IP rather than the message or the recipient: Spamhaus (PBL/ZEN/SBL
     * "blocked using"), "dynamic"/"residential"/"dial-up" ranges, generic block lists, and Microsoft's
     * S3140 and 5.7.606-5.7.608 "banned sending IP" forms. Policy replies count when they speak about the client/IP.
     */
    private static final Pattern REPUTATION = Pattern.compile("(?i)\\b(pbl|spamhaus|zen\\.|sbl|xbl|dynamic|residential|dial-?up"
            + "|block\\s?-?list(ed)?|black\\s?-?list(ed)?|blocked using|listed (at|on|in)|dnsbl|rbl|s3140|5\\.7\\.60[678]|banned sending ip"
            + "|poor reputation|ip reputation|((client|ip|host)\\b.{0,60}\\bpolicy|policy\\b.{0,60}\\b(client|ip|host)))\\b");

    private final Database db;
    private final Settings settings;
    private final NetworkStatus network;

    public Fallback(Database db, Settings settings, NetworkStatus network) {
        this.db = db;
        this.settings = settings;
        this.network = network;
    }

    /** Whether a 4xx/5xx reply blames the sending IP's reputation (RFC 3463 5.7.x / 4.7.x, or such words at the greeting). */
    public static boolean isReputation(SmtpReply reply) {
        if (reply.positive()) {
            return false;
        }
        String status = reply.enhancedStatus();
        boolean securityClass = status.startsWith("5.7.") || status.startsWith("4.7.") || reply.code() == 554 || reply.code() == 550;
        return securityClass && REPUTATION.matcher(reply.text()).find();
    }

    /** The active fallback state: what the network self-checks find now, else the last trigger seen on the direct path. */
    public Optional<State> state() {
        Optional<State> fromNetwork = network();
        return fromNetwork.isPresent() ? fromNetwork : recorded();
    }

    /**
     * Whether mail should go straight to the relay now: while the network self-checks find a trigger, or for
     * {@code probe} after a trigger on the direct path (then direct delivery is tried again).
     */
    public boolean relayNow(Duration probe) {
        return network().isPresent() || recorded().filter(s -> System.currentTimeMillis() - s.since() < probe.toMillis()).isPresent();
    }

    private Optional<State> recorded() {
        Optional<String> since = settings.get("queue.fallback.since").filter(s -> !s.isEmpty());
        return since.map(s -> new State(Long.parseLong(s), Trigger.valueOf(settings.get("queue.fallback.trigger").orElseThrow()),
                settings.get("queue.fallback.evidence").orElse("")));
    }

    /**
     * The trigger in the last network self-check: our public IPv4 on a policy blocklist (RFC 5782 lookup), or
     * no port 25 probe reachable. A new finding is recorded once as an event, with its evidence; the state's
     * "since" is when it was first seen.
     */
    private synchronized Optional<State> network() {
        NetworkStatus.Snapshot last = network.last();
        Trigger trigger = null;
        String evidence = null;
        if (!last.blocklistedOn().isEmpty()) {
            trigger = Trigger.BLOCKLISTED;
            evidence = "public IP " + last.ipv4().orElse("?") + " is listed on " + String.join(", ", last.blocklistedOn());
        } else if (last.port25() == NetworkStatus.Reachability.BLOCKED) {
            trigger = Trigger.PORT25_UNREACHABLE;
            evidence = "the network self-check reached none of its port 25 probes (mailkeep.netcheck.port25-probe)";
        }
        String finding = trigger == null ? "" : trigger.name() + " " + evidence;
        if (!finding.equals(settings.get("queue.fallback.network").orElse(""))) {
            settings.put("queue.fallback.network", finding);
            if (trigger != null) {
                long now = System.currentTimeMillis();
                settings.put("queue.fallback.network-since", Long.toString(now));
                event(now, trigger, evidence + " (checked at " + last.checkedAt() + ")");
            } else {
                LOG.info("the network self-check no longer finds a reason to relay");
            }
        }
        if (trigger == null) {
            return Optional.empty();
        }
        long since = settings.get("queue.fallback.network-since").map(Long::parseLong).orElse(System.currentTimeMillis());
        return Optional.of(new State(since, trigger, evidence + " (checked at " + last.checkedAt() + ")"));
    }

    /** Records a trigger with what was seen; the state's "since" is the latest trigger (re-probing starts from it). */
    public void record(Trigger trigger, String evidence) {
        long now = System.currentTimeMillis();
        event(now, trigger, evidence);
        settings.put("queue.fallback.since", Long.toString(now));
        settings.put("queue.fallback.trigger", trigger.name());
        settings.put("queue.fallback.evidence", evidence);
    }

    private void event(long at, Trigger trigger, String evidence) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue_fallback_events(at, trigger, evidence) VALUES(?, ?, ?)")) {
                ps.setLong(1, at);
                ps.setString(2, trigger.name());
                ps.setString(3, evidence);
                ps.executeUpdate();
            }
            return null;
        });
        LOG.warnf("relay fallback triggered: %s: %s", trigger.description, evidence);
    }

    /** A direct delivery succeeded: the direct path works (again). */
    public void directWorks() {
        if (recorded().isPresent()) {
            settings.put("queue.fallback.since", "");
            LOG.info("direct delivery works again: relay fallback cleared");
        }
    }

    public List<Event> recentEvents(int limit) {
        return db.read(c -> {
            List<Event> events = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT at, trigger, evidence FROM queue_fallback_events ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(new Event(rs.getLong(1), rs.getString(2), rs.getString(3)));
                    }
                }
            }
            return events;
        });
    }

    /** The last error the relay gave (refused AUTH or TLS, unreachable), or empty once it worked. */
    public Optional<String> relayProblem() {
        return settings.get("queue.relay.problem").filter(s -> !s.isEmpty());
    }

    public void relayProblem(String problem) {
        if (!problem.equals(relayProblem().orElse(""))) {
            settings.put("queue.relay.problem", problem);
        }
    }
}
