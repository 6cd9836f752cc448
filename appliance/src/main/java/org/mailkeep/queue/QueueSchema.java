package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/** The durable outbound queue: one row per message, one per recipient with its own delivery state. */
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
                """);
    }
}
