package org.mailkeep.maillog;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The admin's log of recent mail decisions (GET /api/mail-log, the dashboard). {@link #record} never blocks and
 * never touches the disk: events wait in a bounded memory buffer and the scheduler writes them in one
 * transaction per second, so the accept path pays no extra fsync. A power cut may lose the last second of log
 * rows, never mail. The table keeps {@link #MAX_AGE} and at most {@link #MAX_ROWS} rows; each flush prunes
 * with two indexed deletes.
 */
@ApplicationScoped
public class MailLog {

    private static final Logger LOG = Logger.getLogger(MailLog.class);
    static final int MAX_ROWS = 10_000;
    static final Duration MAX_AGE = Duration.ofDays(30);
    /** Events beyond this many between flushes are dropped (and counted in the log): memory stays bounded under a flood. */
    static final int BUFFER = 5_000;

    private final Database db;
    private final BlockingQueue<MailEvent> pending = new ArrayBlockingQueue<>(BUFFER);
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

    public MailLog(Database db) {
        this.db = db;
    }

    /** Takes an event for the log; returns at once. */
    public void record(MailEvent event) {
        if (!pending.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** The newest {@code limit} entries, newest first; {@code direction} null for both. Pending events are written first. */
    public List<MailEvent> recent(int limit, MailEvent.Direction direction) {
        flush();
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT at, direction, sender, recipient, result, reason, remote_ip, remote_host "
                    + "FROM mail_log" + (direction == null ? "" : " WHERE direction = ?") + " ORDER BY id DESC LIMIT ?")) {
                int i = 1;
                if (direction != null) {
                    ps.setString(i++, direction.name());
                }
                ps.setInt(i, limit);
                List<MailEvent> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new MailEvent(Instant.ofEpochMilli(rs.getLong(1)), MailEvent.Direction.valueOf(rs.getString(2)),
                                rs.getString(3), rs.getString(4), MailEvent.Result.valueOf(rs.getString(5)), rs.getString(6),
                                rs.getString(7), rs.getString(8)));
                    }
                }
                return result;
            }
        });
    }

    /** Writes the buffered events in one transaction and prunes the table. */
    synchronized void flush() {
        List<MailEvent> batch = new ArrayList<>();
        pending.drainTo(batch);
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            LOG.warnf("mail log: %d events dropped (more than %d a second)", lost, BUFFER);
        }
        if (batch.isEmpty()) {
            return;
        }
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO mail_log(at, direction, sender, recipient, result, reason, remote_ip, "
                    + "remote_host) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (MailEvent e : batch) {
                    ps.setLong(1, e.at().toEpochMilli());
                    ps.setString(2, e.direction().name());
                    ps.setString(3, e.from());
                    ps.setString(4, e.to());
                    ps.setString(5, e.result().name());
                    ps.setString(6, e.reason());
                    ps.setString(7, e.remoteIp());
                    ps.setString(8, e.remoteHost());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM mail_log WHERE at < ? OR id <= (SELECT MAX(id) FROM mail_log) - ?")) {
                ps.setLong(1, System.currentTimeMillis() - MAX_AGE.toMillis());
                ps.setInt(2, MAX_ROWS);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warnf("mail log: cannot write: %s", e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        flushQuietly();
    }

    /** The JSON form of an entry (lower-case enums). */
    public record View(String at, String direction, String from, String to, String result, String reason, String remoteIp, String remoteHost) {
        public static View of(MailEvent e) {
            return new View(e.at().toString(), e.direction().name().toLowerCase(Locale.ROOT), e.from(), e.to(),
                    e.result().name().toLowerCase(Locale.ROOT), e.reason(), e.remoteIp(), e.remoteHost());
        }
    }
}
