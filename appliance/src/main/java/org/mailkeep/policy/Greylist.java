package org.mailkeep.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.net.Cidr;
import org.mailkeep.store.Database;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * Greylisting (the idea of Harris 2003, as in postgrey): the first delivery attempt of an unknown (client network,
 * envelope sender, recipient) triplet is deferred with 451 4.7.1; a retry after the delay is accepted and the triplet
 * remembered. A client network (IPv4 /24, IPv6 /64: big senders retry from another host of their pool) that passed
 * once is auto-allowed for all its mail. Entries unseen for the lifetime are purged.
 */
@ApplicationScoped
public class Greylist {

    public enum Decision {
        /** First attempt: defer. */
        NEW,
        /** Retried before the delay ran out: defer again. */
        TOO_EARLY,
        /** Retried after the delay: accepted from now on. */
        PASSED,
        /** Known triplet or auto-allowed network. */
        KNOWN
    }

    private final Database db;
    private final Clock clock;
    private final Duration delay;
    private final Duration lifetime;

    @Inject
    public Greylist(Database db, GreylistConfig config) {
        this(db, Clock.systemUTC(), config.delay(), config.lifetime());
    }

    public Greylist(Database db, Clock clock, Duration delay, Duration lifetime) {
        this.db = db;
        this.clock = clock;
        this.delay = delay;
        this.lifetime = lifetime;
    }

    public Duration delay() {
        return delay;
    }

    /** The network greylisting keys on: IPv4 /24, IPv6 /64. */
    public static String network(InetAddress ip) {
        return Cidr.of(ip, ip instanceof Inet4Address ? 24 : 64).toString();
    }

    public Decision check(InetAddress ip, String sender, String recipient) {
        String network = network(ip);
        String from = sender == null || sender.isEmpty() ? "<>" : sender.toLowerCase(Locale.ROOT);
        String to = recipient.toLowerCase(Locale.ROOT);
        long now = clock.millis();
        long horizon = now - lifetime.toMillis();
        return db.write(c -> {
            Long firstSeen = null;
            Long passedAt = null;
            long lastSeen = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT first_seen, last_seen, passed_at FROM greylist WHERE network = ? AND sender = ? AND recipient = ?")) {
                ps.setString(1, network);
                ps.setString(2, from);
                ps.setString(3, to);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        firstSeen = rs.getLong(1);
                        lastSeen = rs.getLong(2);
                        long p = rs.getLong(3);
                        passedAt = rs.wasNull() ? null : p;
                    }
                }
            }
            Decision decision;
            if (firstSeen != null && lastSeen < horizon) {
                firstSeen = null; // expired: start over
                passedAt = null;
            }
            if (passedAt != null) {
                decision = Decision.KNOWN;
            } else if (firstSeen == null) {
                decision = networkPassed(c, network, horizon) ? Decision.KNOWN : Decision.NEW;
            } else {
                decision = now - firstSeen >= delay.toMillis() ? Decision.PASSED : Decision.TOO_EARLY;
            }
            long first = firstSeen == null ? now : firstSeen;
            Long passed = passedAt != null ? passedAt : decision == Decision.PASSED || decision == Decision.KNOWN ? (Long) now : null;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO greylist(network, sender, recipient, first_seen, last_seen, passed_at) VALUES(?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT(network, sender, recipient) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
                            + "passed_at = excluded.passed_at")) {
                ps.setString(1, network);
                ps.setString(2, from);
                ps.setString(3, to);
                ps.setLong(4, first);
                ps.setLong(5, now);
                if (passed == null) {
                    ps.setNull(6, java.sql.Types.INTEGER);
                } else {
                    ps.setLong(6, passed);
                }
                ps.executeUpdate();
            }
            return decision;
        });
    }

    private static boolean networkPassed(java.sql.Connection c, String network, long horizon) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM greylist WHERE network = ? AND passed_at IS NOT NULL AND last_seen >= ? LIMIT 1")) {
            ps.setString(1, network);
            ps.setLong(2, horizon);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Deletes triplets unseen for the lifetime; returns how many. */
    public int purge() {
        long horizon = clock.millis() - lifetime.toMillis();
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM greylist WHERE last_seen < ?")) {
                ps.setLong(1, horizon);
                return ps.executeUpdate();
            }
        });
    }
}
