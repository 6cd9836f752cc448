package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.mailkeep.store.Database;
import org.mailkeep.store.Settings;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Why direct delivery does not work from this box, with the evidence. A trigger (port 25 unreachable, a
 * reply that names the sending IP's reputation) makes the state "active": in fallback mode mail then goes
 * through the relay, the health check turns amber with the reason, and the SPF record includes the relay.
 * The state clears on the next successful direct delivery. Every trigger is kept in
 * {@code queue_fallback_events} for the API.
 */
@ApplicationScoped
public class Fallback {

    private static final Logger LOG = Logger.getLogger(Fallback.class);

    public enum Trigger {
        PORT25_UNREACHABLE("outbound port 25 unreachable"),
        REPUTATION("the receiving server refuses this IP address (reputation/blocklist)");

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

    public Fallback(Database db, Settings settings) {
        this.db = db;
        this.settings = settings;
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

    public Optional<State> state() {
        Optional<String> since = settings.get("queue.fallback.since").filter(s -> !s.isEmpty());
        return since.map(s -> new State(Long.parseLong(s), Trigger.valueOf(settings.get("queue.fallback.trigger").orElseThrow()),
                settings.get("queue.fallback.evidence").orElse("")));
    }

    /** Records a trigger with what was seen; the state's "since" is the latest trigger (re-probing starts from it). */
    public void record(Trigger trigger, String evidence) {
        long now = System.currentTimeMillis();
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue_fallback_events(at, trigger, evidence) VALUES(?, ?, ?)")) {
                ps.setLong(1, now);
                ps.setString(2, trigger.name());
                ps.setString(3, evidence);
                ps.executeUpdate();
            }
            return null;
        });
        settings.put("queue.fallback.since", Long.toString(now));
        settings.put("queue.fallback.trigger", trigger.name());
        settings.put("queue.fallback.evidence", evidence);
        LOG.warnf("relay fallback triggered: %s: %s", trigger.description, evidence);
    }

    /** A direct delivery succeeded: the direct path works (again). */
    public void directWorks() {
        if (state().isPresent()) {
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
