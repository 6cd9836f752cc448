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
        return db.write(c -> {
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

    private static long generatedKey(PreparedStatement ps) throws java.sql.SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            keys.next();
            return keys.getLong(1);
        }
    }

}
