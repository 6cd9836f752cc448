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
                // v2: garbage collection finds unreferenced messages without scanning them all
                """
                CREATE INDEX messages_unreferenced ON messages(refcount) WHERE refcount <= 0
                """);
    }
}
