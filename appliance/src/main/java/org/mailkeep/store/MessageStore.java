package org.mailkeep.store;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Message files and their index. A message is written once to the spool, fsynced, moved under
 * {@code messages/}, and only then indexed in one SQLite transaction: a crash at any point leaves either
 * no trace in any mailbox or the whole message, never a partial one. A message delivered to several
 * local recipients is one file with one {@code messages} row; {@code refcount} counts every reference
 * (mailbox entries, outbound queue entries) and the file is deleted when it drops to zero.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // spool leftovers of a crash are removed at start, not at the first message
public class MessageStore {

    private static final Logger LOG = Logger.getLogger(MessageStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where one copy of a message goes: an account's mailbox (by name) with initial flags. */
    public record Delivery(long accountId, String mailbox, Set<String> flags) {
        public static Delivery inbox(long accountId) {
            return new Delivery(accountId, "INBOX", Set.of());
        }
    }

    /** A new message appended to a mailbox: lets IMAP sessions (IDLE) tell their clients at once. */
    public record Appended(long mailboxId, long uid) {
    }

    private final Database db;
    private final DataDirectory dirs;
    private final List<java.util.function.Consumer<Appended>> listeners = new CopyOnWriteArrayList<>();

    public MessageStore(Database db, DataDirectory dirs) {
        this.db = db;
        this.dirs = dirs;
        removeSpoolLeftovers();
    }

    /** A fresh file in the spool for a message being received; the caller writes it and then calls {@link #deliver} or deletes it. */
    public Path newSpoolFile() {
        return dirs.spool().resolve(randomName() + ".tmp");
    }

    /** Forces a written spool file to disk. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** A stored file waiting for its index rows; filled in by whichever thread commits the batch it is in. */
    private static final class Pending {
        final String name;
        final long internalDate;
        final List<Delivery> deliveries;
        boolean done;
        long id;
        List<Appended> appended;
        RuntimeException error;

        Pending(String name, long internalDate, List<Delivery> deliveries) {
            this.name = name;
            this.internalDate = internalDate;
            this.deliveries = deliveries;
        }
    }

    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock commitLock = new ReentrantLock();

    /**
     * Makes a completely written spool file a stored message and indexes it for each delivery, all durable
     * when this returns. Returns the message id.
     * <p>
     * Group commit: the file is fsynced by the calling thread (in parallel with other deliveries); its index
     * rows join whatever other deliveries are waiting, and one thread writes them all in one transaction, so
     * one fsync of the SQLite WAL covers several messages (the way Postfix and Dovecot amortise their syncs).
     * Each caller still returns only after the transaction holding its rows is committed.
     */
    public long deliver(Path spooled, List<Delivery> deliveries) {
        return deliver(spooled, deliveries, System.currentTimeMillis());
    }

    /** As {@link #deliver(Path, List)} with a given INTERNALDATE (APPEND, restores). */
    public long deliver(Path spooled, List<Delivery> deliveries, long internalDate) {
        String name = commitFile(spooled);
        Pending mine = new Pending(name, internalDate, List.copyOf(deliveries));
        pending.add(mine);
        commitLock.lock();
        try {
            if (!mine.done) {
                List<Pending> batch = new ArrayList<>();
                for (Pending p = pending.poll(); p != null; p = pending.poll()) {
                    batch.add(p);
                }
                commit(batch);
            }
        } finally {
            commitLock.unlock();
        }
        if (mine.error != null) {
            throw mine.error;
        }
        mine.appended.forEach(a -> listeners.forEach(l -> l.accept(a)));
        return mine.id;
    }

    /** Indexes a batch in one transaction; if that fails, each one alone, so one bad delivery fails only itself. */
    private void commit(List<Pending> batch) {
        try {
            index(batch);
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).error = e;
            } else {
                for (Pending p : batch) {
                    try {
                        index(List.of(p));
                    } catch (RuntimeException single) {
                        p.error = single;
                    }
                }
            }
        }
        batch.forEach(p -> p.done = true);
    }

    private void index(List<Pending> batch) {
        db.write(c -> {
            for (Pending p : batch) {
                p.id = index(c, p.name, p.internalDate, p.deliveries.size());
                List<Appended> appended = new ArrayList<>();
                for (Delivery delivery : p.deliveries) {
                    appended.add(MailboxIndex.append(c, delivery.accountId(), delivery.mailbox(), p.id, delivery.flags(), p.internalDate));
                }
                p.appended = appended;
            }
            return null;
        });
    }

    /** Inserts the {@code messages} row of a committed file with {@code refcount} references; returns its id. */
    public long index(java.sql.Connection c, String name, long receivedAt, int refcount) throws java.sql.SQLException {
        long size;
        try {
            size = Files.size(file(name));
        } catch (IOException e) {
            throw new StoreException("cannot read stored message " + name, e);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO messages(file, size, received_at, refcount) VALUES(?, ?, ?, ?)",
                PreparedStatement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, name);
            ps.setLong(2, size);
            ps.setLong(3, receivedAt);
            ps.setInt(4, refcount);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Subscribes to appends (IMAP IDLE and untagged EXISTS). */
    public void onAppend(java.util.function.Consumer<Appended> listener) {
        listeners.add(listener);
    }

    public void removeListener(java.util.function.Consumer<Appended> listener) {
        listeners.remove(listener);
    }

    /** Octets of every stored message file (mailboxes and queue): the running total of store v4, one row read. */
    public long storedBytes() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT bytes FROM store_usage WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Absolute path of a stored message file. */
    public Path file(String name) {
        return dirs.messages().resolve(name);
    }

    /** Moves a spool file under messages/ (fanned out in two levels) durably; returns its name relative to messages/. */
    public String commitFile(Path spooled) {
        String random = randomName();
        String name = random.substring(0, 2) + "/" + random.substring(2, 4) + "/" + random;
        Path target = dirs.messages().resolve(name);
        try {
            fsync(spooled);
            Files.createDirectories(target.getParent());
            Files.move(spooled, target, StandardCopyOption.ATOMIC_MOVE);
            DataDirectory.fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot store message: " + e.getMessage(), e);
        }
        return name;
    }

    /**
     * Deletes message files no longer referenced, and their rows. Runs after every EXPUNGE and MOVE, where there is
     * usually nothing to collect: an indexed read first, so those cost no write transaction (and no fsync).
     */
    public int collectGarbage() {
        boolean any = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM messages WHERE refcount <= 0 LIMIT 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
        if (!any) {
            return 0;
        }
        List<String> unreferenced = db.write(c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT file FROM messages WHERE refcount <= 0"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM messages WHERE refcount <= 0")) {
                ps.executeUpdate();
            }
            return names;
        });
        for (String name : unreferenced) {
            try {
                Files.deleteIfExists(file(name));
            } catch (IOException e) {
                LOG.warnf("cannot delete unreferenced message file %s: %s", name, e.getMessage());
            }
        }
        return unreferenced.size();
    }

    private void removeSpoolLeftovers() {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dirs.spool())) {
            for (Path leftover : leftovers) {
                // a message still in the spool never got its "250 OK": the client will send it again
                Files.deleteIfExists(leftover);
                LOG.infof("removed incomplete message %s left in the spool by an interrupted session", leftover.getFileName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean spool " + dirs.spool(), e);
        }
    }

    private static String randomName() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
