package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/**
 * The durable outbound queue that submission fills with remote recipients. {@link #enqueue} returns only
 * when the message file and its queue rows are on disk, so "250 OK" on submission keeps its promise.
 */
@ApplicationScoped
public class OutboundQueue {

    private final Database db;
    private final MessageStore store;
    private final java.util.List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public OutboundQueue(Database db, MessageStore store) {
        this.db = db;
        this.store = store;
    }

    /**
     * Takes a completely written spool file into the queue for {@code recipients}; returns the queue id.
     * The stored message file is referenced once by the queue entry (messages.refcount).
     */
    public long enqueue(Path spooled, String envelopeFrom, List<String> recipients, String authenticatedUser) {
        String name = store.commitFile(spooled);
        long now = System.currentTimeMillis();
        long id = db.write(c -> {
            long messageId = store.index(c, name, now, 1);
            long queueId;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO queue_messages(message_id, envelope_from, authenticated_user, created_at) VALUES(?, ?, ?, ?)",
                    PreparedStatement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, messageId);
                ps.setString(2, envelopeFrom);
                ps.setString(3, authenticatedUser);
                ps.setLong(4, now);
                ps.executeUpdate();
                queueId = generatedKey(ps);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO queue_recipients(queue_message_id, recipient, next_attempt_at) VALUES(?, ?, ?)")) {
                for (String recipient : recipients) {
                    ps.setLong(1, queueId);
                    ps.setString(2, recipient);
                    ps.setLong(3, now);
                    ps.executeUpdate();
                }
            }
            return queueId;
        });
        listeners.forEach(Runnable::run);
        return id;
    }

    /** Runs {@code listener} after each enqueue, so delivery starts at once instead of at the next poll. */
    public void onEnqueue(Runnable listener) {
        listeners.add(listener);
    }

    /** One recipient's delivery state as the queue API shows it. */
    public record RecipientState(long id, String recipient, String status, int attempts, String lastError, Long lastAttemptAt,
                                 long nextAttemptAt, String route, String routeReason, String remoteMta) {
    }

    /** A queued message with every recipient still in it. */
    public record Entry(long id, String from, String authenticatedUser, long createdAt, long size, List<RecipientState> recipients) {
    }

    /** Every queue entry, oldest first, with per-recipient status (delivered and bounced ones until the entry is done). */
    public List<Entry> list() {
        return db.read(c -> {
            java.util.Map<Long, Entry> entries = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT q.id, q.envelope_from, q.authenticated_user, q.created_at, m.size, "
                    + "r.id, r.recipient, r.status, r.attempts, r.last_error, r.last_attempt_at, r.next_attempt_at, r.route, r.route_reason, r.remote_mta "
                    + "FROM queue_messages q JOIN messages m ON m.id = q.message_id JOIN queue_recipients r ON r.queue_message_id = q.id "
                    + "ORDER BY q.id, r.id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Entry entry = entries.computeIfAbsent(rs.getLong(1), id -> {
                        try {
                            return new Entry(id, rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), new java.util.ArrayList<>());
                        } catch (java.sql.SQLException e) {
                            throw new org.mailkeep.store.StoreException("reading the queue: " + e.getMessage(), e);
                        }
                    });
                    long lastAttempt = rs.getLong(11);
                    entry.recipients().add(new RecipientState(rs.getLong(6), rs.getString(7), rs.getString(8), rs.getInt(9), rs.getString(10),
                            rs.wasNull() ? null : lastAttempt, rs.getLong(12), rs.getString(13), rs.getString(14), rs.getString(15)));
                }
            }
            return List.copyOf(entries.values());
        });
    }

    /** When the oldest message that still has a recipient waiting for delivery was queued. */
    public java.util.Optional<java.time.Instant> oldestPending() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(q.created_at) FROM queue_messages q "
                    + "JOIN queue_recipients r ON r.queue_message_id = q.id WHERE r.status = 'queued'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next(); // an aggregate always has one row: NULL when nothing waits
                long oldest = rs.getLong(1);
                return rs.wasNull() ? java.util.Optional.<java.time.Instant>empty() : java.util.Optional.of(java.time.Instant.ofEpochMilli(oldest));
            }
        });
    }

    /** Number of recipients still waiting for delivery. */
    public int pendingRecipients() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM queue_recipients WHERE status = 'queued'");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    /** Number of recipients still waiting after at least one failed attempt (deferred). */
    public int deferredRecipients() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM queue_recipients WHERE status = 'queued' AND attempts > 0");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    private static long generatedKey(PreparedStatement ps) throws java.sql.SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            keys.next();
            return keys.getLong(1);
        }
    }

}
