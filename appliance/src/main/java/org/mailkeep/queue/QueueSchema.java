package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/**
 * The durable outbound queue: one row per message, one per recipient with its own delivery state, and the
 * history of relay-fallback triggers. Statements must not contain ';' inside literals (Database splits on it).
 */
@ApplicationScoped
public class QueueSchema implements Schema {

    @Override
    public String feature() {
        return "queue";
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
                CREATE TABLE queue_messages (
                  id INTEGER PRIMARY KEY,
                  message_id INTEGER NOT NULL REFERENCES messages(id),
                  envelope_from TEXT NOT NULL,
                  authenticated_user TEXT,
                  created_at INTEGER NOT NULL);
                CREATE TABLE queue_recipients (
                  id INTEGER PRIMARY KEY,
                  queue_message_id INTEGER NOT NULL REFERENCES queue_messages(id) ON DELETE CASCADE,
                  recipient TEXT NOT NULL,
                  status TEXT NOT NULL DEFAULT 'queued',
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at INTEGER NOT NULL,
                  last_error TEXT,
                  route TEXT);
                CREATE INDEX queue_recipients_due ON queue_recipients(status, next_attempt_at)
                """,
                // v2: delivery state (DKIM fields added once before the first attempt, DSN bookkeeping, routing evidence)
                """
                ALTER TABLE queue_messages ADD COLUMN dkim_signatures TEXT;
                ALTER TABLE queue_messages ADD COLUMN body_8bit INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queue_messages ADD COLUMN needs_smtputf8 INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queue_messages ADD COLUMN delay_notified INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queue_recipients ADD COLUMN last_attempt_at INTEGER;
                ALTER TABLE queue_recipients ADD COLUMN route_reason TEXT;
                ALTER TABLE queue_recipients ADD COLUMN force_relay INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queue_recipients ADD COLUMN remote_mta TEXT;
                ALTER TABLE queue_recipients ADD COLUMN enhanced_status TEXT;
                CREATE TABLE queue_fallback_events (
                  id INTEGER PRIMARY KEY,
                  at INTEGER NOT NULL,
                  trigger TEXT NOT NULL,
                  evidence TEXT NOT NULL)
                """,
                // v3: ids are never reused. Without AUTOINCREMENT SQLite hands out max(rowid)+1, so once the queue
                // emptied the next message got id 1 again and a "retry"/"delete" meant for an old entry could hit a
                // new one. A column cannot become AUTOINCREMENT in place: the tables are rebuilt, recipients first
                // copied into a table that references the new messages table (DROP TABLE would cascade otherwise).
                """
                CREATE TABLE queue_messages_v3 (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  message_id INTEGER NOT NULL REFERENCES messages(id),
                  envelope_from TEXT NOT NULL,
                  authenticated_user TEXT,
                  created_at INTEGER NOT NULL,
                  dkim_signatures TEXT,
                  body_8bit INTEGER NOT NULL DEFAULT 0,
                  needs_smtputf8 INTEGER NOT NULL DEFAULT 0,
                  delay_notified INTEGER NOT NULL DEFAULT 0);
                INSERT INTO queue_messages_v3(id, message_id, envelope_from, authenticated_user, created_at, dkim_signatures, body_8bit,
                  needs_smtputf8, delay_notified)
                  SELECT id, message_id, envelope_from, authenticated_user, created_at, dkim_signatures, body_8bit, needs_smtputf8,
                  delay_notified FROM queue_messages;
                CREATE TABLE queue_recipients_v3 (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  queue_message_id INTEGER NOT NULL REFERENCES queue_messages_v3(id) ON DELETE CASCADE,
                  recipient TEXT NOT NULL,
                  status TEXT NOT NULL DEFAULT 'queued',
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at INTEGER NOT NULL,
                  last_error TEXT,
                  route TEXT,
                  last_attempt_at INTEGER,
                  route_reason TEXT,
                  force_relay INTEGER NOT NULL DEFAULT 0,
                  remote_mta TEXT,
                  enhanced_status TEXT);
                INSERT INTO queue_recipients_v3(id, queue_message_id, recipient, status, attempts, next_attempt_at, last_error, route,
                  last_attempt_at, route_reason, force_relay, remote_mta, enhanced_status)
                  SELECT id, queue_message_id, recipient, status, attempts, next_attempt_at, last_error, route, last_attempt_at,
                  route_reason, force_relay, remote_mta, enhanced_status FROM queue_recipients;
                DROP TABLE queue_recipients;
                DROP TABLE queue_messages;
                ALTER TABLE queue_messages_v3 RENAME TO queue_messages;
                ALTER TABLE queue_recipients_v3 RENAME TO queue_recipients;
                CREATE INDEX queue_recipients_due ON queue_recipients(status, next_attempt_at)
                """);
    }
}
