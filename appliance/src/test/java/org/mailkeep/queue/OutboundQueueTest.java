package org.mailkeep.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;
import org.mailkeep.store.StoreSchema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The durable queue on a real SQLite database: what waits, and since when (the health check's "stuck" rule). */
class OutboundQueueTest {

    @Test
    void tellsHowLongTheOldestWaitingMessageHasWaited(@TempDir Path dir) throws Exception {
        DataDirectory dirs = new DataDirectory(dir);
        Database db = new Database(dirs, List.of(new StoreSchema(), new QueueSchema()), Integer.MAX_VALUE);
        MessageStore store = new MessageStore(db, dirs);
        OutboundQueue queue = new OutboundQueue(db, store);
        assertThat(queue.oldestPending()).isEmpty();

        Instant before = Instant.now().minusSeconds(1);
        Path spooled = store.newSpoolFile();
        Files.writeString(spooled, "Subject: out\r\n\r\nbody\r\n");
        long id = queue.enqueue(spooled, "alice@example.test", List.of("bob@example.net", "carol@example.org"), "alice@example.test");
        assertThat(queue.pendingRecipients()).isEqualTo(2);
        assertThat(queue.oldestPending()).hasValueSatisfying(t -> assertThat(t).isAfter(before).isBefore(Instant.now().plusSeconds(1)));

        db.write(c -> c.createStatement().executeUpdate("UPDATE queue_recipients SET status = 'delivered' WHERE queue_message_id = " + id));
        assertThat(queue.pendingRecipients()).isZero();
        assertThat(queue.oldestPending()).isEmpty();
        db.close();
    }

    @Test
    void queueIdsAreNeverReusedAndTheMigrationKeepsWaitingMail(@TempDir Path dir) throws Exception {
        DataDirectory dirs = new DataDirectory(dir);
        // a database as release v2 of the queue schema left it, with a message waiting
        Database old = new Database(dirs, List.of(new StoreSchema(), new QueueSchema()), 2);
        MessageStore oldStore = new MessageStore(old, dirs);
        Path spooled = oldStore.newSpoolFile();
        Files.writeString(spooled, "Subject: waiting\r\n\r\nbody\r\n");
        long waiting = new OutboundQueue(old, oldStore).enqueue(spooled, "alice@example.test", List.of("bob@example.net"), null);
        old.close();

        Database db = new Database(dirs, List.of(new StoreSchema(), new QueueSchema()), Integer.MAX_VALUE);
        MessageStore store = new MessageStore(db, dirs);
        OutboundQueue queue = new OutboundQueue(db, store);
        assertThat(queue.list()).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo(waiting);
            assertThat(e.recipients()).extracting(OutboundQueue.RecipientState::recipient).containsExactly("bob@example.net");
        });
        // the queue empties; the next message must not get the id of the one that left
        db.write(c -> DeliveryService.remove(c, waiting));
        assertThat(queue.list()).isEmpty();
        Path next = store.newSpoolFile();
        Files.writeString(next, "Subject: next\r\n\r\nbody\r\n");
        long id = queue.enqueue(next, "alice@example.test", List.of("carol@example.net"), null);
        assertThat(id).isGreaterThan(waiting);
        assertThat(queue.list().get(0).recipients().get(0).id()).isGreaterThan(1);
        db.close();
    }
}
