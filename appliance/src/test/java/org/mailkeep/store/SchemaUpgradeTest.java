package org.mailkeep.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.auth.PasswordHasher;
import org.mailkeep.queue.QueueSchema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A database made by the first schema version of every feature, filled with an account, an alias and a
 * delivered message, must upgrade to the current schema with nothing lost.
 */
class SchemaUpgradeTest {

    static final List<Schema> ALL = List.of(new StoreSchema(), new QueueSchema());

    @Test
    void databaseOfFirstSchemaVersionUpgradesWithoutLosingData(@TempDir Path dir) throws Exception {
        DataDirectory dirs = new DataDirectory(dir);
        Database v1 = new Database(dirs, ALL, 1);
        Directory directory = new Directory(v1, new PasswordHasher(1024, 1, 1));
        Directory.Account alice = directory.createAccount(Address.parse("alice@example.test").orElseThrow(), "alice-password", "Alice");
        directory.createAlias(Address.parse("info@example.test").orElseThrow(), Address.parse("alice@example.test").orElseThrow());
        MessageStore store = new MessageStore(v1, dirs);
        Path spooled = store.newSpoolFile();
        Files.writeString(spooled, "Subject: kept\r\n\r\nhello\r\n");
        store.deliver(spooled, List.of(MessageStore.Delivery.inbox(alice.id())));
        v1.close();

        Database current = new Database(dirs, ALL, Integer.MAX_VALUE);
        assertThat(current.schemaVersions()).containsEntry("store", new StoreSchema().migrations().size())
                .containsEntry("queue", new QueueSchema().migrations().size());
        Directory upgraded = new Directory(current, new PasswordHasher(1024, 1, 1));
        assertThat(upgraded.authenticate("alice@example.test", "alice-password")).isPresent();
        // store v2's usage counter starts from what the old database held
        String stored = current.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT file FROM messages")) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
        assertThat(upgraded.usedBytes(alice.id())).isEqualTo(Files.size(dirs.messages().resolve(stored))).isGreaterThan(0);
        // and store v4's total of stored octets too
        assertThat(new MessageStore(current, dirs).storedBytes()).isEqualTo(Files.size(dirs.messages().resolve(stored)));
        assertThat(upgraded.resolveRecipient(Address.parse("info+news@example.test").orElseThrow()))
                .map(Directory.Account::address).isEqualTo(Optional.of("alice@example.test"));
        String file = current.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT m.file FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id JOIN mailboxes b ON b.id = mm.mailbox_id WHERE b.name = 'INBOX'");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
        assertThat(Files.readString(dirs.messages().resolve(file))).contains("Subject: kept");
        current.close();
    }

    @Test
    void refusesDatabaseNewerThanThisRelease(@TempDir Path dir) {
        DataDirectory dirs = new DataDirectory(dir);
        Database db = new Database(dirs, ALL, Integer.MAX_VALUE);
        db.write(c -> c.createStatement().executeUpdate("UPDATE schema_version SET version = 99 WHERE feature = 'store'"));
        db.close();
        assertThatThrownBy(() -> new Database(dirs, ALL, Integer.MAX_VALUE)).hasMessageContaining("newer than this release");
    }
}
