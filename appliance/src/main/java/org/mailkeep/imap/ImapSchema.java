package org.mailkeep.imap;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/**
 * The IMAP server's own tables, beside the store's: the parsed-structure cache (so a FETCH of 10,000
 * envelopes or header fields reads rows, not message files), the \Recent claims, and the expunge log that QRESYNC's VANISHED and concurrent
 * sessions' EXPUNGE notices are computed from (RFC 7162 §3.2.5.2).
 */
@ApplicationScoped
public class ImapSchema implements Schema {

    @Override
    public String feature() {
        return "imap";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE imap_message_cache (
                  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
                  envelope TEXT NOT NULL,
                  bodystructure TEXT NOT NULL,
                  body TEXT NOT NULL,
                  sent_date INTEGER);
                CREATE TABLE imap_expunged (
                  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                  uid INTEGER NOT NULL,
                  modseq INTEGER NOT NULL,
                  PRIMARY KEY (mailbox_id, uid));
                CREATE INDEX imap_expunged_modseq ON imap_expunged(mailbox_id, modseq)
                """,
                // v2: the top-level header block as MimeStructure keeps it (MessageParts.MAX_CACHED_HEADER at most), so
                // BODY[HEADER.FIELDS (...)] of a list of messages reads rows, not message files; NULL until a FETCH
                // or APPEND parses the message
                """
                ALTER TABLE imap_message_cache ADD COLUMN header TEXT
                """,
                // v3: \Recent (RFC 3501 §2.3.2: a message is recent in the one session that first learns of it): per
                // mailbox, the first UID no session has claimed yet; messages stored before this version are not recent
                """
                CREATE TABLE imap_recent (
                  mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
                  first_uid INTEGER NOT NULL);
                INSERT INTO imap_recent(mailbox_id, first_uid) SELECT id, uidnext FROM mailboxes
                """);
    }
}
