package org.mailkeep.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.auth.PasswordHasher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Concurrent deliveries share transactions, yet each is indexed exactly once with its own UID, and a bad one fails alone. */
class MessageStoreGroupCommitTest {

    @TempDir
    Path dataDir;

    @Test
    void concurrentDeliveriesAreEachIndexedOnceAndABadOneFailsAlone() throws Exception {
        Class.forName("org.sqlite.JDBC"); // a @QuarkusTest earlier in this JVM registered the driver from its own class loader only
        DataDirectory dirs = new DataDirectory(dataDir);
        Database db = new Database(dirs, List.of(new StoreSchema()), Integer.MAX_VALUE);
        MessageStore store = new MessageStore(db, dirs);
        long account = new Directory(db, new PasswordHasher(1024, 1, 1))
                .createAccount(Address.parse("a@example.test").orElseThrow(), "password-123", null).id();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Long>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            results.add(pool.submit(() -> {
                Path spool = store.newSpoolFile();
                Files.writeString(spool, "Subject: " + n + "\r\n\r\nbody\r\n");
                // every 50th names an account that does not exist: only that delivery may fail
                long target = n % 50 == 49 ? 999_999 : account;
                return store.deliver(spool, List.of(new MessageStore.Delivery(target, "INBOX", Set.of())));
            }));
        }
        int failed = 0;
        for (Future<Long> result : results) {
            try {
                result.get();
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreException.class);
                failed++;
            }
        }
        pool.shutdown();
        assertThat(failed).isEqualTo(4);
        int[] counts = db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), COUNT(DISTINCT uid), MAX(uid) FROM mailbox_messages")) {
                rs.next();
                return new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)};
            }
        });
        assertThat(counts).containsExactly(196, 196, 196);
        // the running total of stored octets (store v4) follows every delivery and every collected file
        assertThat(store.storedBytes()).isEqualTo(sumOfSizes(db)).isGreaterThan(0);
        db.write(c -> c.createStatement().executeUpdate("DELETE FROM mailbox_messages WHERE uid % 2 = 0"));
        db.write(c -> c.createStatement().executeUpdate(
                "UPDATE messages SET refcount = 0 WHERE id NOT IN (SELECT message_id FROM mailbox_messages)"));
        assertThat(store.collectGarbage()).isEqualTo(98);
        assertThat(store.storedBytes()).isEqualTo(sumOfSizes(db)).isGreaterThan(0);
        assertThatThrownBy(() -> store.deliver(dataDir.resolve("missing"), List.of(MessageStore.Delivery.inbox(account))))
                .isInstanceOf(StoreException.class);
        db.close();
    }

    private static long sumOfSizes(Database db) {
        return db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT SUM(size) FROM messages")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
