package org.mailkeep.store;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Tables of the core store: settings, domains, accounts, aliases, IMAP mailboxes and the message index. */
@ApplicationScoped
public class StoreSchema implements Schema {

    @Override
    public String feature() {
        return "store";
    }

    @Override
    public int order() {
        return 0;
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE domains (name TEXT PRIMARY KEY COLLATE NOCASE, created_at INTEGER NOT NULL);
                CREATE TABLE accounts (
                  id INTEGER PRIMARY KEY,
                  address TEXT NOT NULL UNIQUE COLLATE NOCASE,
                  display_name TEXT,
                  password_hash TEXT NOT NULL,
                  quota_bytes INTEGER NOT NULL DEFAULT 0,
                  created_at INTEGER NOT NULL);
                CREATE TABLE aliases (
                  alias TEXT PRIMARY KEY COLLATE NOCASE,
                  target TEXT NOT NULL COLLATE NOCASE,
                  created_at INTEGER NOT NULL);
                CREATE TABLE mailboxes (
                  id INTEGER PRIMARY KEY,
                  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  special_use TEXT,
                  uidvalidity INTEGER NOT NULL,
                  uidnext INTEGER NOT NULL DEFAULT 1,
                  highestmodseq INTEGER NOT NULL DEFAULT 1,
                  subscribed INTEGER NOT NULL DEFAULT 1,
                  UNIQUE(account_id, name));
                CREATE TABLE messages (
                  id INTEGER PRIMARY KEY,
                  file TEXT NOT NULL UNIQUE,
                  size INTEGER NOT NULL,
                  received_at INTEGER NOT NULL,
                  refcount INTEGER NOT NULL);
                CREATE TABLE mailbox_messages (
                  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                  uid INTEGER NOT NULL,
                  message_id INTEGER NOT NULL REFERENCES messages(id),
                  flags TEXT NOT NULL DEFAULT '',
                  modseq INTEGER NOT NULL,
                  internal_date INTEGER NOT NULL,
                  PRIMARY KEY (mailbox_id, uid));
                CREATE INDEX mailbox_messages_message ON mailbox_messages(message_id);
                CREATE INDEX mailbox_messages_modseq ON mailbox_messages(mailbox_id, modseq)
                """,
                // v2: each account's stored octets as a running counter kept by triggers in the same transaction as the
                // change (quota checks at every SMTP RCPT must not sum every message). A mailbox dropped with its messages
                // is subtracted before the cascade, whose per-message trigger then finds no mailbox and changes nothing.
                """
                CREATE TABLE account_usage (
                  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
                  bytes INTEGER NOT NULL DEFAULT 0);
                INSERT INTO account_usage(account_id, bytes) SELECT a.id, COALESCE((SELECT SUM(m.size) FROM mailboxes b
                  JOIN mailbox_messages mm ON mm.mailbox_id = b.id JOIN messages m ON m.id = mm.message_id WHERE b.account_id = a.id), 0)
                  FROM accounts a;
                CREATE TRIGGER account_usage_account AFTER INSERT ON accounts BEGIN
                  INSERT INTO account_usage(account_id, bytes) VALUES (NEW.id, 0);
                END;
                CREATE TRIGGER account_usage_add AFTER INSERT ON mailbox_messages BEGIN
                  UPDATE account_usage SET bytes = bytes + (SELECT size FROM messages WHERE id = NEW.message_id)
                  WHERE account_id = (SELECT account_id FROM mailboxes WHERE id = NEW.mailbox_id);
                END;
                CREATE TRIGGER account_usage_remove AFTER DELETE ON mailbox_messages BEGIN
                  UPDATE account_usage SET bytes = bytes - (SELECT size FROM messages WHERE id = OLD.message_id)
                  WHERE account_id = (SELECT account_id FROM mailboxes WHERE id = OLD.mailbox_id);
                END;
                CREATE TRIGGER account_usage_move AFTER UPDATE OF mailbox_id ON mailbox_messages BEGIN
                  UPDATE account_usage SET bytes = bytes - (SELECT size FROM messages WHERE id = OLD.message_id)
                  WHERE account_id = (SELECT account_id FROM mailboxes WHERE id = OLD.mailbox_id);
                  UPDATE account_usage SET bytes = bytes + (SELECT size FROM messages WHERE id = NEW.message_id)
                  WHERE account_id = (SELECT account_id FROM mailboxes WHERE id = NEW.mailbox_id);
                END;
                CREATE TRIGGER account_usage_drop_mailbox BEFORE DELETE ON mailboxes BEGIN
                  UPDATE account_usage SET bytes = bytes - COALESCE((SELECT SUM(m.size) FROM mailbox_messages mm
                    JOIN messages m ON m.id = mm.message_id WHERE mm.mailbox_id = OLD.id), 0) WHERE account_id = OLD.account_id;
                END
                """,
                // v3: garbage collection finds unreferenced messages without scanning them all
                """
                CREATE INDEX messages_unreferenced ON messages(refcount) WHERE refcount <= 0
                """,
                // v4: octets of all stored message files as one running total (the dashboard's disk figure), kept
                // by triggers in the same transaction as the index row: one row read instead of a SUM over messages
                """
                CREATE TABLE store_usage (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  bytes INTEGER NOT NULL);
                INSERT INTO store_usage(id, bytes) SELECT 1, COALESCE(SUM(size), 0) FROM messages;
                CREATE TRIGGER store_usage_add AFTER INSERT ON messages BEGIN
                  UPDATE store_usage SET bytes = bytes + NEW.size WHERE id = 1;
                END;
                CREATE TRIGGER store_usage_remove AFTER DELETE ON messages BEGIN
                  UPDATE store_usage SET bytes = bytes - OLD.size WHERE id = 1;
                END;
                CREATE TRIGGER store_usage_resize AFTER UPDATE OF size ON messages BEGIN
                  UPDATE store_usage SET bytes = bytes - OLD.size + NEW.size WHERE id = 1;
                END
                """);
    }
}
