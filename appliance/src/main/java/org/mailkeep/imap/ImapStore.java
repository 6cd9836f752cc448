package org.mailkeep.imap;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MailboxIndex;
import org.mailkeep.store.MessageStore;
import org.mailkeep.box.NotFoundException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The IMAP view of the store: mailboxes of an account, message rows (flags, mod-sequences, cached
 * structure), and the changes sessions report to each other. Every change bumps the mailbox's
 * HIGHESTMODSEQ (RFC 7162 §3.1) and wakes the sessions that have the mailbox selected.
 */
@ApplicationScoped
public class ImapStore {

    public static final char SEPARATOR = '/';

    public record MailboxRow(long id, String name, String specialUse, boolean subscribed, long uidValidity, long uidNext,
                             long highestModSeq) {
    }

    /** A message in a mailbox; envelope, bodyStructure and body are null when not cached or not asked for, header also. */
    public record MessageRow(long uid, String flags, long modSeq, long internalDate, long size, String file, long messageId,
                             String envelope, String bodyStructure, String body, String header) {
    }

    public record FlagChange(long uid, String flags, long modSeq) {
    }

    public record CopyResult(long uidValidity, long[] sourceUids, long[] targetUids) {
    }

    public record StoreResult(List<FlagChange> changed, List<Long> modified) {
    }

    public record MailboxStatus(long messages, long unseen, long deleted, long size, long deletedSize) {
    }

    private final Database db;
    private final MessageStore messages;
    private final Map<Long, Set<Runnable>> watchers = new ConcurrentHashMap<>();

    public ImapStore(Database db, MessageStore messages) {
        this.db = db;
        this.messages = messages;
        messages.onAppend(appended -> changed(appended.mailboxId()));
    }

    // ---- change notification between sessions ----

    /** Calls {@code watcher} (on the caller's thread: it must only schedule work) whenever mailbox {@code id} changes. */
    public void watch(long mailboxId, Runnable watcher) {
        watchers.computeIfAbsent(mailboxId, k -> new CopyOnWriteArraySet<>()).add(watcher);
    }

    public void unwatch(long mailboxId, Runnable watcher) {
        Set<Runnable> set = watchers.get(mailboxId);
        if (set != null) {
            set.remove(watcher);
            if (set.isEmpty()) {
                watchers.remove(mailboxId, set);
            }
        }
    }

    void changed(long mailboxId) {
        Set<Runnable> set = watchers.get(mailboxId);
        if (set != null) {
            set.forEach(Runnable::run);
        }
    }

    // ---- mailboxes ----

    private static final String MAILBOX_COLUMNS = "id, name, special_use, subscribed, uidvalidity, uidnext, highestmodseq";

    private static MailboxRow mailboxRow(ResultSet rs) throws SQLException {
        return new MailboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4) != 0, rs.getLong(5), rs.getLong(6), rs.getLong(7));
    }

    public List<MailboxRow> mailboxes(long accountId) {
        return db.read(c -> {
            List<MailboxRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes WHERE account_id = ? ORDER BY name")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(mailboxRow(rs));
                    }
                }
            }
            return out;
        });
    }

    public Optional<MailboxRow> mailbox(long accountId, String name) {
        return db.read(c -> mailbox(c, accountId, name));
    }

    private static Optional<MailboxRow> mailbox(Connection c, long accountId, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes WHERE account_id = ? AND name = ?")) {
            ps.setLong(1, accountId);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mailboxRow(rs)) : Optional.empty();
            }
        }
    }

    /** Checks a mailbox name a client wants to create (RFC 3501 §5.1): no wildcards, no empty hierarchy levels. */
    static boolean validName(String name) {
        if (name.isEmpty() || name.length() > 512 || name.charAt(0) == SEPARATOR || name.indexOf("//") >= 0) {
            return false;
        }
        return name.chars().noneMatch(ch -> ch == '*' || ch == '%' || ch < ' ' || ch == 127);
    }

    /** Creates a mailbox and its missing parents (RFC 3501 §6.3.3), with a special use (RFC 6154 §3) or null. */
    public void create(long accountId, String name, String specialUse) {
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        if (!validName(trimmed)) {
            throw new IllegalArgumentException("invalid mailbox name");
        }
        db.write(c -> {
            if (mailbox(c, accountId, trimmed).isPresent()) {
                throw new ConflictException("mailbox already exists");
            }
            int slash = -1;
            while ((slash = trimmed.indexOf(SEPARATOR, slash + 1)) > 0) {
                String parent = trimmed.substring(0, slash);
                if (mailbox(c, accountId, parent).isEmpty()) {
                    Directory.createMailbox(c, accountId, parent, null);
                }
            }
            Directory.createMailbox(c, accountId, trimmed, specialUse);
            return null;
        });
    }

    /**
     * Deletes a mailbox; its messages lose a reference. A mailbox with inferior names is refused with HASCHILDREN, the
     * choice RFC 9051 §6.3.4 recommends for a server that does not delete a name while it has children ("it SHOULD
     * disallow the DELETE command by returning a tagged NO response ... SHOULD include the HASCHILDREN response
     * code"), rather than RFC 3501's alternative of emptying it and leaving a \Noselect name: no mailbox here ever
     * exists only as a name, so LIST never has to show a \Noselect placeholder, and no client loses mail to a
     * DELETE it meant for an empty parent. (Dovecot with Maildir takes RFC 3501's way: it empties the parent and
     * keeps its name until the last child goes.)
     */
    public void delete(long accountId, String name) {
        if (name.equals("INBOX")) {
            throw new IllegalArgumentException("INBOX cannot be deleted");
        }
        List<Long> affected = new ArrayList<>();
        db.write(c -> {
            MailboxRow row = mailbox(c, accountId, name).orElseThrow(() -> new NotFoundException("no such mailbox"));
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM mailboxes WHERE account_id = ? AND substr(name, 1, ?) = ? LIMIT 1")) {
                ps.setLong(1, accountId);
                ps.setInt(2, name.length() + 1);
                ps.setString(3, name + SEPARATOR);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new ConflictException("mailbox has children, delete them first");
                    }
                }
            }
            update(c, "UPDATE messages SET refcount = refcount - (SELECT COUNT(*) FROM mailbox_messages mm WHERE mm.mailbox_id = ? AND mm.message_id = messages.id) "
                    + "WHERE id IN (SELECT message_id FROM mailbox_messages WHERE mailbox_id = ?)", row.id(), row.id());
            update(c, "DELETE FROM mailboxes WHERE id = ?", row.id());
            affected.add(row.id());
            return null;
        });
        messages.collectGarbage();
        affected.forEach(this::changed);
    }

    /**
     * Renames a mailbox and its children (RFC 3501 §6.3.5); ids, UIDVALIDITY and UIDs stay. Renaming INBOX moves
     * its messages to a new mailbox and leaves INBOX empty.
     */
    public void rename(long accountId, String from, String to) {
        if (!validName(to)) {
            throw new IllegalArgumentException("invalid mailbox name");
        }
        long[] changedId = {-1};
        db.write(c -> {
            MailboxRow source = mailbox(c, accountId, from).orElseThrow(() -> new NotFoundException("no such mailbox"));
            if (mailbox(c, accountId, to).isPresent()) {
                throw new ConflictException("target mailbox already exists");
            }
            if (to.startsWith(from + SEPARATOR)) {
                throw new IllegalArgumentException("cannot move a mailbox into itself");
            }
            int slash = -1;
            while ((slash = to.indexOf(SEPARATOR, slash + 1)) > 0) {
                String parent = to.substring(0, slash);
                if (mailbox(c, accountId, parent).isEmpty()) {
                    Directory.createMailbox(c, accountId, parent, null);
                }
            }
            if (from.equals("INBOX")) {
                long target = Directory.createMailbox(c, accountId, to, null);
                update(c, "UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?", source.uidNext(), source.highestModSeq() + 1, target);
                update(c, "UPDATE mailbox_messages SET mailbox_id = ? WHERE mailbox_id = ?", target, source.id());
                long modSeq = source.highestModSeq() + 1;
                update(c, "INSERT OR REPLACE INTO imap_expunged(mailbox_id, uid, modseq) SELECT ?, uid, ? FROM mailbox_messages WHERE mailbox_id = ?",
                        source.id(), modSeq, target);
                update(c, "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", modSeq, source.id());
                changedId[0] = source.id();
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE mailboxes SET name = ? || substr(name, ?) WHERE account_id = ? AND (name = ? OR substr(name, 1, ?) = ?)")) {
                ps.setString(1, to);
                ps.setInt(2, from.length() + 1);
                ps.setLong(3, accountId);
                ps.setString(4, from);
                ps.setInt(5, from.length() + 1);
                ps.setString(6, from + SEPARATOR);
                ps.executeUpdate();
            }
            return null;
        });
        if (changedId[0] >= 0) {
            changed(changedId[0]);
        }
    }

    public void subscribe(long accountId, String name, boolean subscribed) {
        db.write(c -> {
            MailboxRow row = mailbox(c, accountId, name).orElseThrow(() -> new NotFoundException("no such mailbox"));
            update(c, "UPDATE mailboxes SET subscribed = ? WHERE id = ?", subscribed ? 1 : 0, row.id());
            return null;
        });
    }

    public MailboxStatus status(long mailboxId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*), SUM(instr(mm.flags, '\\Seen') = 0), SUM(instr(mm.flags, '\\Deleted') > 0), COALESCE(SUM(m.size), 0), "
                            + "COALESCE(SUM(CASE WHEN instr(mm.flags, '\\Deleted') > 0 THEN m.size END), 0) "
                            + "FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id WHERE mm.mailbox_id = ?")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new MailboxStatus(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
                }
            }
        });
    }

    // ---- messages ----

    /** The UIDs of a mailbox in ascending order: the message sequence numbers' map (4 bytes a message). */
    public int[] uids(long mailboxId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT uid FROM mailbox_messages WHERE mailbox_id = ? ORDER BY uid")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    UidList list = new UidList();
                    while (rs.next()) {
                        list.add(rs.getLong(1));
                    }
                    return list.toArray();
                }
            }
        });
    }

    /** The lowest UID without \\Seen, or 0 (SELECT's UNSEEN, RFC 3501 §7.1): one query, no rows in memory. */
    public long firstUnseen(long mailboxId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT uid FROM mailbox_messages WHERE mailbox_id = ? AND instr(flags, '\\Seen') = 0 ORDER BY uid LIMIT 1")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Message rows with UID in [fromUid, toUid], ascending; with the cached structure when {@code cached}. */
    public List<MessageRow> messages(long mailboxId, long fromUid, long toUid, boolean cached) {
        return messages(mailboxId, "mm.uid BETWEEN ? AND ?", new long[] {fromUid, toUid}, cached, false);
    }

    /** Message rows of the given UIDs (at most a few hundred), ascending; with the cached header too when {@code header}. */
    public List<MessageRow> messages(long mailboxId, long[] uids, boolean cached, boolean header) {
        return messages(mailboxId, "mm.uid IN (" + "?,".repeat(uids.length - 1) + "?)", uids, cached, header);
    }

    /** Message rows with UID in [fromUid, toUid], ascending, with the cached structure and the cached header block. */
    public List<MessageRow> messagesWithHeader(long mailboxId, long fromUid, long toUid) {
        return messages(mailboxId, "mm.uid BETWEEN ? AND ?", new long[] {fromUid, toUid}, true, true);
    }

    /** Message rows with UID in [fromUid, toUid] and the cached structure that may satisfy {@code prefilter} (from {@link SearchSql#subjectPrefilter}). */
    List<MessageRow> messages(long mailboxId, long fromUid, long toUid, String prefilter, List<Object> prefilterArgs) {
        Object[] args = new Object[2 + prefilterArgs.size()];
        args[0] = fromUid;
        args[1] = toUid;
        for (int i = 0; i < prefilterArgs.size(); i++) {
            args[2 + i] = prefilterArgs.get(i);
        }
        return messages(mailboxId, "mm.uid BETWEEN ? AND ? AND (" + prefilter + ")", args, true, false);
    }

    private List<MessageRow> messages(long mailboxId, String condition, long[] args, boolean cached, boolean header) {
        return messages(mailboxId, condition, Arrays.stream(args).boxed().toArray(), cached, header);
    }

    private List<MessageRow> messages(long mailboxId, String condition, Object[] args, boolean cached, boolean header) {
        String sql = "SELECT mm.uid, mm.flags, mm.modseq, mm.internal_date, m.size, m.file, m.id"
                + (cached ? ", c.envelope, c.bodystructure, c.body" : "")
                + (header ? ", c.header" : "")
                + " FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id"
                + (cached || header ? " LEFT JOIN imap_message_cache c ON c.message_id = m.id" : "")
                + " WHERE mm.mailbox_id = ? AND " + condition + " ORDER BY mm.uid";
        return db.read(c -> {
            List<MessageRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, mailboxId);
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 2, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int next = cached ? 11 : 8;
                        out.add(new MessageRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getString(6),
                                rs.getLong(7), cached ? rs.getString(8) : null, cached ? rs.getString(9) : null, cached ? rs.getString(10) : null,
                                header ? rs.getString(next) : null));
                    }
                }
            }
            return out;
        });
    }

    /** Receives one message of {@link #rowItems}. */
    @FunctionalInterface
    interface RowConsumer {
        void accept(long uid, String flags, long modSeq, long internalDate, long size);
    }

    /**
     * UID, flags, mod-sequence, INTERNALDATE and (when {@code size}) RFC822.SIZE of the given ascending UIDs whose
     * mod-sequence is above {@code changedSince}, ascending, handed on straight from the result set: FETCH 1:* (FLAGS)
     * of a large mailbox reads only these columns and builds no row objects.
     */
    void rowItems(long mailboxId, long[] uids, boolean size, long changedSince, RowConsumer consumer) {
        if (uids.length == 0) {
            return;
        }
        boolean sparse = uids[uids.length - 1] - uids[0] >= 2L * uids.length; // then exactly these rows, not the range
        String sql = "SELECT mm.uid, mm.flags, mm.modseq, mm.internal_date" + (size ? ", m.size" : "")
                + " FROM mailbox_messages mm" + (size ? " JOIN messages m ON m.id = mm.message_id" : "")
                + " WHERE mm.mailbox_id = ? AND mm.modseq > ? AND "
                + (sparse ? "mm.uid IN (" + "?,".repeat(uids.length - 1) + "?)" : "mm.uid BETWEEN ? AND ?") + " ORDER BY mm.uid";
        db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, changedSince);
                if (sparse) {
                    for (int i = 0; i < uids.length; i++) {
                        ps.setLong(i + 3, uids[i]);
                    }
                } else {
                    ps.setLong(3, uids[0]);
                    ps.setLong(4, uids[uids.length - 1]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long uid = rs.getLong(1);
                        if (sparse || Arrays.binarySearch(uids, uid) >= 0) {
                            consumer.accept(uid, rs.getString(2), rs.getLong(3), rs.getLong(4), size ? rs.getLong(5) : 0);
                        }
                    }
                }
            }
            return null;
        });
    }

    /** Receives one matching message of {@link #matching}. */
    @FunctionalInterface
    interface MatchConsumer {
        void accept(long uid, long modSeq);
    }

    /** The messages with UID in [fromUid, toUid] whose row satisfies {@code condition} (from {@link SearchSql#condition}), ascending. */
    void matching(long mailboxId, long fromUid, long toUid, String condition, List<Object> args, MatchConsumer consumer) {
        db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT mm.uid, mm.modseq FROM mailbox_messages mm "
                    + "WHERE mm.mailbox_id = ? AND mm.uid BETWEEN ? AND ? AND (" + condition + ") ORDER BY mm.uid")) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, fromUid);
                ps.setLong(3, toUid);
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 4, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            return null;
        });
    }

    /** Stores parsed structures, {message id, ENVELOPE, BODYSTRUCTURE, BODY, header or null} (one transaction for a whole FETCH batch). */
    public void cache(List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        // a cache is rebuilt from the files if lost: no need to wait for an fsync
        db.write(c -> {
            insertCache(c, rows);
            return null;
        }, false);
    }

    private static void insertCache(Connection c, List<Object[]> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO imap_message_cache(message_id, envelope, bodystructure, body, header) VALUES(?, ?, ?, ?, ?) "
                        + "ON CONFLICT(message_id) DO UPDATE SET header = excluded.header WHERE imap_message_cache.header IS NULL")) {
            for (Object[] row : rows) {
                ps.setLong(1, (Long) row[0]);
                ps.setString(2, (String) row[1]);
                ps.setString(3, (String) row[2]);
                ps.setString(4, (String) row[3]);
                ps.setString(5, (String) row[4]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public Path file(String name) {
        return messages.file(name);
    }

    /**
     * Changes flags of the given UIDs (STORE, RFC 3501 §6.4.6) in one transaction with one new mod-sequence.
     * Messages whose mod-sequence is above {@code unchangedSince} (when ≥ 0) are left alone and reported (RFC 7162 §3.1.3).
     */
    public StoreResult store(long mailboxId, long[] uids, char mode, List<String> flags, long unchangedSince) {
        // flag changes commit without waiting for an fsync (see Database#write(Work, boolean)): a mail client
        // sets a flag again if a power cut loses it, and the next durable commit makes it durable too
        StoreResult result = db.write(c -> {
            List<FlagChange> changed = new ArrayList<>();
            List<Long> modified = new ArrayList<>();
            long modSeq = highestModSeq(c, mailboxId) + 1;
            try (PreparedStatement select = c.prepareStatement("SELECT flags, modseq FROM mailbox_messages WHERE mailbox_id = ? AND uid = ?");
                 PreparedStatement update = c.prepareStatement("UPDATE mailbox_messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?")) {
                for (long uid : uids) {
                    select.setLong(1, mailboxId);
                    select.setLong(2, uid);
                    String old;
                    long oldModSeq;
                    try (ResultSet rs = select.executeQuery()) {
                        if (!rs.next()) {
                            continue;
                        }
                        old = rs.getString(1);
                        oldModSeq = rs.getLong(2);
                    }
                    if (unchangedSince >= 0 && oldModSeq > unchangedSince) {
                        modified.add(uid);
                        continue;
                    }
                    TreeSet<String> set = parseFlags(old);
                    switch (mode) {
                        case '+' -> set.addAll(flags);
                        case '-' -> flags.forEach(set::remove);
                        default -> {
                            set.clear();
                            set.addAll(flags);
                        }
                    }
                    String now = String.join(" ", set);
                    if (now.equals(old)) {
                        changed.add(new FlagChange(uid, now, oldModSeq));
                        continue;
                    }
                    update.setString(1, now);
                    update.setLong(2, modSeq);
                    update.setLong(3, mailboxId);
                    update.setLong(4, uid);
                    update.executeUpdate();
                    changed.add(new FlagChange(uid, now, modSeq));
                }
            }
            update(c, "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", modSeq, mailboxId);
            return new StoreResult(changed, modified);
        }, false);
        changed(mailboxId);
        return result;
    }

    static TreeSet<String> parseFlags(String flags) {
        TreeSet<String> set = new TreeSet<>();
        if (flags != null && !flags.isBlank()) {
            set.addAll(Arrays.asList(flags.trim().split(" ")));
        }
        return set;
    }

    private static long highestModSeq(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT highestmodseq FROM mailboxes WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("mailbox was deleted");
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * Copies (or moves, RFC 6851) messages to another mailbox of the account: new UIDs in the target, the same
     * files with one more reference each; flags and INTERNALDATE are kept (RFC 3501 §6.4.7).
     */
    public CopyResult copy(long accountId, long sourceId, long[] uids, MailboxRow target, boolean move) {
        CopyResult result = db.write(c -> {
            List<Long> sources = new ArrayList<>();
            List<Long> targets = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT message_id, flags, internal_date FROM mailbox_messages WHERE mailbox_id = ? AND uid = ?");
                 PreparedStatement ref = c.prepareStatement("UPDATE messages SET refcount = refcount + 1 WHERE id = ?")) {
                for (long uid : uids) {
                    select.setLong(1, sourceId);
                    select.setLong(2, uid);
                    try (ResultSet rs = select.executeQuery()) {
                        if (!rs.next()) {
                            continue;
                        }
                        long messageId = rs.getLong(1);
                        Set<String> flags = parseFlags(rs.getString(2));
                        flags.remove("\\Recent");
                        MessageStore.Appended appended = MailboxIndex.append(c, accountId, target.name(), messageId, flags, rs.getLong(3));
                        ref.setLong(1, messageId);
                        ref.executeUpdate();
                        sources.add(uid);
                        targets.add(appended.uid());
                    }
                }
            }
            if (move) {
                expunge(c, sourceId, sources.stream().mapToLong(Long::longValue).toArray());
            }
            return new CopyResult(target.uidValidity(), sources.stream().mapToLong(Long::longValue).toArray(),
                    targets.stream().mapToLong(Long::longValue).toArray());
        });
        changed(target.id());
        if (move) {
            messages.collectGarbage();
            changed(sourceId);
        }
        return result;
    }

    /** Removes messages from a mailbox (EXPUNGE/UID EXPUNGE/MOVE): logged for VANISHED, one reference less on each file. */
    public long[] expunge(long mailboxId, long[] uidsOrNull) {
        long[] removed = db.write(c -> {
            long[] uids = uidsOrNull;
            if (uids == null) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT uid FROM mailbox_messages WHERE mailbox_id = ? AND instr(flags, '\\Deleted') > 0 ORDER BY uid")) {
                    ps.setLong(1, mailboxId);
                    try (ResultSet rs = ps.executeQuery()) {
                        UidList list = new UidList();
                        while (rs.next()) {
                            list.add(rs.getLong(1));
                        }
                        uids = Arrays.stream(list.toArray()).mapToLong(i -> i & 0xFFFFFFFFL).toArray();
                    }
                }
            }
            return expunge(c, mailboxId, uids);
        });
        if (removed.length > 0) {
            messages.collectGarbage();
            changed(mailboxId);
        }
        return removed;
    }

    private static long[] expunge(Connection c, long mailboxId, long[] uids) throws SQLException {
        if (uids.length == 0) {
            return uids;
        }
        long modSeq = highestModSeq(c, mailboxId) + 1;
        List<Long> removed = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT message_id FROM mailbox_messages WHERE mailbox_id = ? AND uid = ?");
             PreparedStatement delete = c.prepareStatement("DELETE FROM mailbox_messages WHERE mailbox_id = ? AND uid = ?");
             PreparedStatement unref = c.prepareStatement("UPDATE messages SET refcount = refcount - 1 WHERE id = ?");
             PreparedStatement log = c.prepareStatement("INSERT OR REPLACE INTO imap_expunged(mailbox_id, uid, modseq) VALUES(?, ?, ?)")) {
            for (long uid : uids) {
                select.setLong(1, mailboxId);
                select.setLong(2, uid);
                long messageId;
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    messageId = rs.getLong(1);
                }
                delete.setLong(1, mailboxId);
                delete.setLong(2, uid);
                delete.executeUpdate();
                unref.setLong(1, messageId);
                unref.executeUpdate();
                log.setLong(1, mailboxId);
                log.setLong(2, uid);
                log.setLong(3, modSeq);
                log.executeUpdate();
                removed.add(uid);
            }
        }
        update(c, "UPDATE mailboxes SET highestmodseq = ? WHERE id = ?", modSeq, mailboxId);
        return removed.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Stores an APPENDed message (already fsynced in the spool) in a mailbox: the file is committed and indexed in
     * one transaction, like a delivery. Returns {uidvalidity, uid}.
     */
    public long[] append(long accountId, MailboxRow mailbox, Path spooled, Set<String> flags, long internalDate) {
        long size;
        try {
            size = Files.size(spooled);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read appended message: " + e.getMessage(), e);
        }
        // parsed now, while the file is in the page cache, and cached in the same transaction: the client's next FETCH
        // ENVELOPE or SEARCH FROM/SUBJECT reads a row, not the file
        String[] described;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(spooled), 65536)) {
            described = MessageParts.describe(MimeStructure.parse(in));
        } catch (IOException | RuntimeException e) {
            described = null; // cached at the first FETCH that needs it
        }
        String[] structure = described;
        String name = messages.commitFile(spooled);
        long[] result = db.write(c -> {
            long messageId;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO messages(file, size, received_at, refcount) VALUES(?, ?, ?, 1)",
                    PreparedStatement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setLong(2, size);
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    messageId = keys.getLong(1);
                }
            }
            if (mailbox(c, accountId, mailbox.name()).isEmpty()) {
                throw new NotFoundException("mailbox was deleted");
            }
            MessageStore.Appended appended = MailboxIndex.append(c, accountId, mailbox.name(), messageId, flags, internalDate);
            if (structure != null) {
                insertCache(c, List.<Object[]>of(new Object[] {messageId, structure[0], structure[1], structure[2], structure[3]}));
            }
            return new long[] {mailbox.uidValidity(), appended.uid()};
        });
        changed(mailbox.id());
        return result;
    }

    // ---- what changed since a session last looked ----

    /**
     * \Recent (RFC 3501 §2.3.2): the first UID no session has claimed (messages from it to {@code uidNext} are recent for
     * the caller; 1 when no session had the mailbox yet), and when {@code claim} claims them (§6.3.2: EXAMINE does not).
     */
    public long claimRecent(long mailboxId, long uidNext, boolean claim) {
        return db.write(c -> {
            long first = 1;
            try (PreparedStatement ps = c.prepareStatement("SELECT first_uid FROM imap_recent WHERE mailbox_id = ?")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    first = rs.next() ? rs.getLong(1) : first;
                }
            }
            if (claim && uidNext > first) {
                update(c, "INSERT INTO imap_recent(mailbox_id, first_uid) VALUES(?, ?) "
                        + "ON CONFLICT(mailbox_id) DO UPDATE SET first_uid = excluded.first_uid", mailboxId, uidNext);
            }
            return first;
        }, false);
    }

    public long highestModSeq(long mailboxId) {
        return db.read(c -> highestModSeq(c, mailboxId));
    }

    /** UIDs expunged with a mod-sequence above {@code modSeq}, ascending. */
    public long[] expungedSince(long mailboxId, long modSeq) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT uid FROM imap_expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid")) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, modSeq);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Long> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                    return out.stream().mapToLong(Long::longValue).toArray();
                }
            }
        });
    }

    /** Messages below {@code belowUid} whose flags changed with a mod-sequence in (from, to]. */
    public List<FlagChange> flagChanges(long mailboxId, long fromModSeq, long toModSeq, long belowUid) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT uid, flags, modseq FROM mailbox_messages WHERE mailbox_id = ? AND modseq > ? AND modseq <= ? AND uid < ? ORDER BY uid")) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, fromModSeq);
                ps.setLong(3, toModSeq);
                ps.setLong(4, belowUid);
                try (ResultSet rs = ps.executeQuery()) {
                    List<FlagChange> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new FlagChange(rs.getLong(1), rs.getString(2), rs.getLong(3)));
                    }
                    return out;
                }
            }
        });
    }

    /** UIDs at or above {@code fromUid}, ascending (new messages). */
    public long[] uidsFrom(long mailboxId, long fromUid) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT uid FROM mailbox_messages WHERE mailbox_id = ? AND uid >= ? ORDER BY uid")) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, fromUid);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Long> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                    return out.stream().mapToLong(Long::longValue).toArray();
                }
            }
        });
    }

    private static void update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }
}
