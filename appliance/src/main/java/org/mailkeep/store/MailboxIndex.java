package org.mailkeep.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;

/** Row-level operations on the IMAP mailbox index, run inside a caller's write transaction. */
public final class MailboxIndex {

    private MailboxIndex() {
    }

    /**
     * Appends message {@code messageId} to an account's mailbox: takes the next UID (RFC 3501 §2.3.1.1,
     * strictly ascending) and a new mod-sequence (RFC 7162 §3.1). Falls back to INBOX if the named
     * mailbox does not exist (the user may have deleted Junk).
     */
    public static MessageStore.Appended append(Connection c, long accountId, String mailbox, long messageId, Set<String> flags,
                                               long internalDate) throws SQLException {
        long mailboxId;
        long uid;
        long modseq;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, uidnext, highestmodseq FROM mailboxes WHERE account_id = ? AND name IN (?, 'INBOX') ORDER BY name = 'INBOX' LIMIT 1")) {
            ps.setLong(1, accountId);
            ps.setString(2, mailbox);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("account " + accountId + " has no INBOX");
                }
                mailboxId = rs.getLong(1);
                uid = rs.getLong(2);
                modseq = rs.getLong(3) + 1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE mailboxes SET uidnext = ?, highestmodseq = ? WHERE id = ?")) {
            ps.setLong(1, uid + 1);
            ps.setLong(2, modseq);
            ps.setLong(3, mailboxId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO mailbox_messages(mailbox_id, uid, message_id, flags, modseq, internal_date) VALUES(?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, mailboxId);
            ps.setLong(2, uid);
            ps.setLong(3, messageId);
            ps.setString(4, String.join(" ", new TreeSet<>(flags)));
            ps.setLong(5, modseq);
            ps.setLong(6, internalDate);
            ps.executeUpdate();
        }
        return new MessageStore.Appended(mailboxId, uid);
    }
}
