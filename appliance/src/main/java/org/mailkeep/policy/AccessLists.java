package org.mailkeep.policy;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.mailkeep.net.Cidr;
import org.mailkeep.store.Address;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.Database;
import org.mailkeep.box.NotFoundException;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The owner's allow and block lists: addresses, domains (with their subdomains) and IPs/CIDR networks, global or for
 * one mailbox. Every change is written to an audit table (and the audit log) with who made it. Within one scope a
 * block entry wins over an allow entry.
 */
@ApplicationScoped
public class AccessLists {

    private static final Logger AUDIT = Logger.getLogger("org.mailkeep.audit");

    public enum Action { ALLOW, BLOCK }

    public enum Type { ADDRESS, DOMAIN, IP }

    /** One entry; {@code mailbox} null means global. */
    public record Entry(long id, String mailbox, Action action, Type type, String value, String note, long createdAt) {
        public String describe() {
            return (mailbox == null ? "global" : mailbox) + " " + action.name().toLowerCase(Locale.ROOT) + " " + type.name().toLowerCase(Locale.ROOT)
                    + " " + value;
        }
    }

    /** One audit record: {@code change} is "add" or "remove". */
    public record AuditRecord(long id, long at, String actor, String change, long entryId, String mailbox, Action action, Type type, String value) {
    }

    private final Database db;
    private final Clock clock;

    @jakarta.inject.Inject
    public AccessLists(Database db) {
        this(db, Clock.systemUTC());
    }

    public AccessLists(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Adds an entry. {@code value} is validated and normalised for its type (IllegalArgumentException otherwise);
     * a duplicate is a {@link ConflictException}.
     */
    public Entry add(String mailbox, Action action, Type type, String value, String note, String actor) {
        String scope = mailbox == null || mailbox.isBlank() ? "" : Address.parse(mailbox.trim())
                .orElseThrow(() -> new IllegalArgumentException("mailbox '" + mailbox + "' is not an address")).toString().toLowerCase(Locale.ROOT);
        String normalized = normalize(type, value);
        long now = clock.millis();
        Entry entry = db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM access_list WHERE mailbox = ? AND action = ? AND type = ? AND value = ?")) {
                ps.setString(1, scope);
                ps.setString(2, key(action));
                ps.setString(3, key(type));
                ps.setString(4, normalized);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new ConflictException("this entry exists already");
                    }
                }
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO access_list(mailbox, action, type, value, note, created_at) VALUES(?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, scope);
                ps.setString(2, key(action));
                ps.setString(3, key(type));
                ps.setString(4, normalized);
                ps.setString(5, note);
                ps.setLong(6, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT last_insert_rowid()"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            Entry e = new Entry(id, scope.isEmpty() ? null : scope, action, type, normalized, note, now);
            audit(c, actor, "add", e, now);
            return e;
        });
        AUDIT.infof("access list: %s added %s", actor, entry.describe());
        return entry;
    }

    /** Removes entry {@code id} (NotFoundException when there is none). */
    public void remove(long id, String actor) {
        long now = clock.millis();
        Entry removed = db.write(c -> {
            Entry e = find(c, id).orElseThrow(() -> new NotFoundException("no list entry " + id));
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM access_list WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            audit(c, actor, "remove", e, now);
            return e;
        });
        AUDIT.infof("access list: %s removed %s", actor, removed.describe());
    }

    /** The entries of one mailbox, or the global ones when {@code mailbox} is null; all entries when {@code all}. */
    public List<Entry> list(String mailbox, boolean all) {
        String scope = mailbox == null ? "" : mailbox.toLowerCase(Locale.ROOT);
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(all ? "SELECT * FROM access_list ORDER BY id"
                    : "SELECT * FROM access_list WHERE mailbox = ? ORDER BY id")) {
                if (!all) {
                    ps.setString(1, scope);
                }
                return entries(ps);
            }
        });
    }

    /** The newest {@code limit} audit records, newest first. */
    public List<AuditRecord> audit(int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM access_list_audit ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                List<AuditRecord> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String mailbox = rs.getString("mailbox");
                        result.add(new AuditRecord(rs.getLong("id"), rs.getLong("at"), rs.getString("actor"), rs.getString("change"),
                                rs.getLong("entry_id"), mailbox.isEmpty() ? null : mailbox, Action.valueOf(rs.getString("action").toUpperCase(Locale.ROOT)),
                                Type.valueOf(rs.getString("type").toUpperCase(Locale.ROOT)), rs.getString("value")));
                    }
                }
                return result;
            }
        });
    }

    /**
     * The entry of {@code mailbox}'s scope (null: global) that decides for this client IP and envelope sender, if any:
     * a block entry wins over an allow entry. {@code sender} may be null (connect stage) or "" (null sender).
     */
    public Optional<Entry> decide(String mailbox, InetAddress ip, String sender) {
        List<Entry> matching = list(mailbox, false).stream().filter(e -> matches(e, ip, sender)).toList();
        return matching.stream().filter(e -> e.action() == Action.BLOCK).findFirst().or(() -> matching.stream().findFirst());
    }

    static boolean matches(Entry e, InetAddress ip, String sender) {
        return switch (e.type()) {
            case IP -> ip != null && Cidr.parse(e.value()).map(n -> n.contains(ip)).orElse(false);
            case ADDRESS -> sender != null && sender.equalsIgnoreCase(e.value());
            case DOMAIN -> {
                if (sender == null || !sender.contains("@")) {
                    yield false;
                }
                String domain = Address.domainOf(sender);
                yield domain.equals(e.value()) || domain.endsWith("." + e.value());
            }
        };
    }

    static String normalize(Type type, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("value is required");
        }
        String v = value.trim();
        return switch (type) {
            case ADDRESS -> Address.parse(v).orElseThrow(() -> new IllegalArgumentException("'" + v + "' is not an email address"))
                    .toString().toLowerCase(Locale.ROOT);
            case DOMAIN -> Address.normalizeDomain(v).orElseThrow(() -> new IllegalArgumentException("'" + v + "' is not a domain name"));
            case IP -> Cidr.parse(v).orElseThrow(() -> new IllegalArgumentException("'" + v + "' is not an IP address or CIDR network")).toString();
        };
    }

    private static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static void audit(Connection c, String actor, String change, Entry e, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO access_list_audit(at, actor, change, entry_id, mailbox, action, type, value) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, now);
            ps.setString(2, actor);
            ps.setString(3, change);
            ps.setLong(4, e.id());
            ps.setString(5, e.mailbox() == null ? "" : e.mailbox());
            ps.setString(6, key(e.action()));
            ps.setString(7, key(e.type()));
            ps.setString(8, e.value());
            ps.executeUpdate();
        }
    }

    private static Optional<Entry> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM access_list WHERE id = ?")) {
            ps.setLong(1, id);
            return entries(ps).stream().findFirst();
        }
    }

    private static List<Entry> entries(PreparedStatement ps) throws SQLException {
        List<Entry> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String mailbox = rs.getString("mailbox");
                result.add(new Entry(rs.getLong("id"), mailbox.isEmpty() ? null : mailbox, Action.valueOf(rs.getString("action").toUpperCase(Locale.ROOT)),
                        Type.valueOf(rs.getString("type").toUpperCase(Locale.ROOT)), rs.getString("value"), rs.getString("note"),
                        rs.getLong("created_at")));
            }
        }
        return result;
    }
}
