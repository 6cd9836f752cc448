package org.mailkeep.store;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.auth.PasswordHasher;
import org.mailkeep.box.ConflictException;
import org.mailkeep.box.NotFoundException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryTest {

    @TempDir
    Path dir;
    Database db;
    Directory directory;
    MessageStore store;
    DataDirectory dirs;

    @BeforeEach
    void open() {
        dirs = new DataDirectory(dir);
        db = new Database(dirs, List.of(new StoreSchema()), Integer.MAX_VALUE);
        directory = new Directory(db, new PasswordHasher(1024, 1, 1));
        store = new MessageStore(db, dirs);
    }

    static Address addr(String text) {
        return Address.parse(text).orElseThrow();
    }

    @Test
    void accountsGetTheStandardFoldersWithSpecialUse() {
        Directory.Account bob = directory.createAccount(addr("bob@example.test"), "bob-password", null);
        List<String> names = db.read(c -> {
            List<String> result = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name || ':' || COALESCE(special_use, '') FROM mailboxes WHERE account_id = ? ORDER BY id")) {
                ps.setLong(1, bob.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(rs.getString(1));
                    }
                }
            }
            return result;
        });
        assertThat(names).containsExactly("INBOX:", "Sent:\\Sent", "Drafts:\\Drafts", "Junk:\\Junk", "Trash:\\Trash", "Archive:\\Archive");
        assertThat(directory.isLocalDomain("EXAMPLE.test")).isTrue();
    }

    @Test
    void recipientsResolveThroughAliasesAndSubAddresses() {
        directory.createAccount(addr("carol@example.test"), "carol-password", "Carol");
        directory.createAlias(addr("sales@example.test"), addr("carol@example.test"));
        directory.createAlias(addr("orders@example.test"), addr("sales@example.test"));
        assertThat(directory.resolveRecipient(addr("Carol@example.test"))).isPresent();
        assertThat(directory.resolveRecipient(addr("carol+invoices@example.test"))).isPresent();
        assertThat(directory.resolveRecipient(addr("orders@example.test")).orElseThrow().address()).isEqualTo("carol@example.test");
        assertThat(directory.resolveRecipient(addr("nobody@example.test"))).isEmpty();
        assertThatThrownBy(() -> directory.createAlias(addr("x@example.test"), addr("missing@example.test")))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> directory.createAccount(addr("sales@example.test"), "whatever-password", null))
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void renameKeepsMailAndUidValidity() throws Exception {
        Directory.Account dave = directory.createAccount(addr("dave@example.test"), "dave-password", null);
        Path spooled = store.newSpoolFile();
        Files.writeString(spooled, "Subject: before rename\r\n\r\nbody\r\n");
        store.deliver(spooled, List.of(MessageStore.Delivery.inbox(dave.id())));
        long uidValidity = uidValidityOfInbox(dave.id());

        directory.rename("dave@example.test", addr("david@example.test"));

        assertThat(directory.account("dave@example.test")).isEmpty();
        Directory.Account david = directory.account("david@example.test").orElseThrow();
        assertThat(david.id()).isEqualTo(dave.id());
        assertThat(directory.usedBytes(david.id())).isGreaterThan(0);
        assertThat(uidValidityOfInbox(david.id())).isEqualTo(uidValidity);
        assertThat(directory.authenticate("david@example.test", "dave-password")).isPresent();
    }

    @Test
    void deletingAnAccountReleasesItsMessageFiles() throws Exception {
        Directory.Account erin = directory.createAccount(addr("erin@example.test"), "erin-password", null);
        Directory.Account frank = directory.createAccount(addr("frank@example.test"), "frank-password", null);
        Path spooled = store.newSpoolFile();
        Files.writeString(spooled, "Subject: shared\r\n\r\nbody\r\n");
        store.deliver(spooled, List.of(MessageStore.Delivery.inbox(erin.id()), MessageStore.Delivery.inbox(frank.id())));
        assertThat(countFiles()).isEqualTo(1);

        directory.deleteAccount("erin@example.test");
        assertThat(store.collectGarbage()).isZero();
        assertThat(countFiles()).isEqualTo(1);
        directory.deleteAccount("frank@example.test");
        assertThat(store.collectGarbage()).isEqualTo(1);
        assertThat(countFiles()).isZero();
    }

    @Test
    void wrongPasswordsAndUnknownAccountsDoNotAuthenticate() {
        directory.createAccount(addr("gina@example.test"), "gina-password", null);
        assertThat(directory.authenticate("gina@example.test", "wrong")).isEmpty();
        assertThat(directory.authenticate("nobody@example.test", "gina-password")).isEmpty();
    }

    private long countFiles() throws Exception {
        try (var files = Files.walk(dirs.messages())) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private long uidValidityOfInbox(long accountId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT uidvalidity FROM mailboxes WHERE account_id = ? AND name = 'INBOX'")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
