package org.mailkeep.backup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.auth.PasswordHasher;
import org.mailkeep.queue.QueueSchema;
import org.mailkeep.store.Address;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.store.Schema;
import org.mailkeep.store.StoreSchema;
import org.mailkeep.tls.CertificateStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backup → wipe → restore on real SQLite databases and files, incremental runs, and the failures that
 * must lose nothing: a full stick, a damaged pack, a wrong passphrase, a backup of an older schema.
 */
class BackupRoundTripTest {

    static final char[] PASSPHRASE = "correct-horse-battery-staple".toCharArray();
    static final BackupKey KEY = OpenPgpFileTest.key(PASSPHRASE);
    static final org.bouncycastle.openpgp.operator.PBEDataDecryptorFactory UNLOCK = OpenPgpFile.passphraseDecryptor(PASSPHRASE);

    /** A throwaway schema that gains a column in its second version, to restore an older schema's backup. */
    record Extra(int versions) implements Schema {
        public String feature() {
            return "extra";
        }

        public List<String> migrations() {
            return List.of("CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT)",
                    "ALTER TABLE extra ADD COLUMN added_later TEXT NOT NULL DEFAULT 'default'").subList(0, versions);
        }
    }

    /** One box: a data directory with its database and store. */
    static final class Box {
        final DataDirectory dirs;
        final Database db;
        final Directory directory;
        final MessageStore store;
        final CertificateStore certificates;

        Box(Path root, int extraVersions) {
            dirs = new DataDirectory(root);
            db = new Database(dirs, List.of(new StoreSchema(), new QueueSchema(), new Extra(extraVersions)), Integer.MAX_VALUE);
            directory = new Directory(db, new PasswordHasher(1024, 1, 1));
            store = new MessageStore(db, dirs);
            certificates = new CertificateStore(dirs);
        }

        void deliver(long accountId, String content) throws IOException {
            Path spooled = store.newSpoolFile();
            Files.writeString(spooled, content);
            store.deliver(spooled, List.of(MessageStore.Delivery.inbox(accountId)));
        }

        BackupRunner.Result backup(BackupStick stick, String id) throws IOException {
            return backup(stick, id, 1 << 20, (p, a, b, c, d) -> { });
        }

        BackupRunner.Result backup(BackupStick stick, String id, long packBytes, BackupRunner.Progress progress) throws IOException {
            return new BackupRunner(dirs, db, List.of(dirs.messages(), dirs.tls()), stick, KEY, packBytes, progress).run(id);
        }

        void restore(BackupStick stick, String id) throws IOException {
            new Restorer(dirs, db, certificates, store).restoreAll(stick, BackupReader.manifest(stick, id, UNLOCK), UNLOCK, (p, a, b, c, d) -> { });
        }

        /** Every mailbox row and message as text: address/folder uidvalidity uid flags content. */
        List<String> mailState() {
            return db.read(c -> {
                List<String> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT a.address, b.name, b.uidvalidity, mm.uid, mm.flags, m.file FROM accounts a
                        JOIN mailboxes b ON b.account_id = a.id JOIN mailbox_messages mm ON mm.mailbox_id = b.id
                        JOIN messages m ON m.id = mm.message_id ORDER BY a.address, b.name, mm.uid""");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String content;
                        try {
                            content = Files.readString(dirs.messages().resolve(rs.getString(6)));
                        } catch (IOException e) {
                            content = "MISSING " + e.getMessage();
                        }
                        rows.add(rs.getString(1) + "/" + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " [" + rs.getString(5) + "] " + content);
                    }
                }
                return rows;
            });
        }

        void close() {
            db.close();
        }
    }

    final List<Box> boxes = new ArrayList<>();

    Box box(Path root, int extraVersions) {
        Box box = new Box(root, extraVersions);
        boxes.add(box);
        return box;
    }

    @AfterEach
    void closeAll() {
        boxes.forEach(Box::close);
    }

    static Address addr(String text) {
        return Address.parse(text).orElseThrow();
    }

    @Test
    void backupWipeRestoreGivesTheSameMailAndIncrementalRunsWriteOnlyNewMessages(@TempDir Path tmp) throws Exception {
        Box a = box(tmp.resolve("a"), 1);
        long alice = a.directory.createAccount(addr("alice@example.test"), "alice-password", "Alice").id();
        long bob = a.directory.createAccount(addr("bob@example.test"), "bob-password", null).id();
        a.deliver(alice, "Subject: one\r\n\r\nfirst\r\n");
        a.deliver(alice, "Subject: two\r\n\r\nsecond\r\n");
        a.deliver(bob, "Subject: three\r\n\r\nthird\r\n");
        a.db.write(c -> c.createStatement().executeUpdate("UPDATE mailbox_messages SET flags = '\\Seen' WHERE uid = 1"));
        BackupStick stick = new BackupStick(tmp.resolve("stick"));

        BackupRunner.Result first = a.backup(stick, "20261127T033000Z");
        assertThat(first.newFiles()).isEqualTo(5); // three messages, certificate and key
        a.deliver(bob, "Subject: four\r\n\r\nfourth\r\n");
        a.deliver(bob, "Subject: five\r\n\r\nfifth\r\n");
        BackupRunner.Result second = a.backup(stick, "20261128T033000Z");
        assertThat(second.newFiles()).isEqualTo(2); // only the new messages
        assertThat(second.files()).isEqualTo(7);
        assertThat(stick.authenticated(KEY).genuine()).extracting(Completion::id).containsExactly("20261128T033000Z", "20261127T033000Z");

        List<String> before = a.mailState();
        String certificate = Files.readString(a.dirs.tls().resolve("cert.pem"));
        a.close();
        boxes.remove(a);

        Box b = box(tmp.resolve("b"), 1); // a fresh card
        assertThat(b.mailState()).isEmpty();
        b.restore(stick, "20261128T033000Z");
        assertThat(b.mailState()).isEqualTo(before);
        assertThat(Files.readString(b.dirs.tls().resolve("cert.pem"))).isEqualTo(certificate);
        assertThat(b.directory.authenticate("alice@example.test", "alice-password")).isPresent();
        assertThat(Files.exists(b.dirs.restoreStaging())).isFalse();
    }

    @Test
    void aDamagedPackStopsTheRestoreBeforeAnythingChanges(@TempDir Path tmp) throws Exception {
        Box a = box(tmp.resolve("a"), 1);
        long alice = a.directory.createAccount(addr("alice@example.test"), "alice-password", null).id();
        a.deliver(alice, "Subject: one\r\n\r\n" + "x".repeat(50_000) + "\r\n");
        BackupStick stick = new BackupStick(tmp.resolve("stick"));
        a.backup(stick, "20261128T033000Z");
        Path pack;
        try (Stream<Path> packs = Files.list(stick.packs())) {
            pack = packs.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(pack);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(pack, bytes);

        String packName = pack.getFileName().toString().replace(".tar.gpg", "");
        Manifest manifest = BackupReader.manifest(stick, "20261128T033000Z", UNLOCK);
        Path scratch = tmp.resolve("verify");
        assertThatThrownBy(() -> BackupReader.extract(stick, manifest, BackupReader.allPaths(manifest), UNLOCK, scratch, (p, x, y, z, w) -> { }))
                .as("verification names the damaged pack").isInstanceOf(IOException.class).hasMessageContaining("pack " + packName);

        Box b = box(tmp.resolve("b"), 1);
        b.directory.createAccount(addr("carol@example.test"), "carol-password", null);
        List<String> untouched = b.mailState();
        assertThatThrownBy(() -> b.restore(stick, "20261128T033000Z")).isInstanceOf(IOException.class);
        assertThat(b.mailState()).isEqualTo(untouched);
        assertThat(b.directory.account("carol@example.test")).isPresent();
        assertThat(b.directory.account("alice@example.test")).isEmpty();
    }

    @Test
    void aWrongPassphraseChangesNothing(@TempDir Path tmp) throws Exception {
        Box a = box(tmp.resolve("a"), 1);
        a.directory.createAccount(addr("alice@example.test"), "alice-password", null);
        BackupStick stick = new BackupStick(tmp.resolve("stick"));
        a.backup(stick, "20261128T033000Z");
        assertThatThrownBy(() -> BackupReader.manifest(stick, "20261128T033000Z", OpenPgpFile.passphraseDecryptor("wrong passphrase".toCharArray())))
                .isInstanceOf(OpenPgpFile.WrongPassphraseException.class);
    }

    @Test
    void aBackupOfAnOlderSchemaRestoresIntoTheCurrentOne(@TempDir Path tmp) throws Exception {
        Box old = box(tmp.resolve("old"), 1);
        long alice = old.directory.createAccount(addr("alice@example.test"), "alice-password", null).id();
        old.deliver(alice, "Subject: old\r\n\r\nbody\r\n");
        old.db.write(c -> c.createStatement().executeUpdate("INSERT INTO extra(note) VALUES('kept')"));
        BackupStick stick = new BackupStick(tmp.resolve("stick"));
        old.backup(stick, "20261128T033000Z");

        Box current = box(tmp.resolve("new"), 2);
        current.restore(stick, "20261128T033000Z");
        assertThat(current.db.schemaVersions()).containsEntry("extra", 2);
        String row = current.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT note || '/' || added_later FROM extra")) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
        assertThat(row).isEqualTo("kept/default");
        assertThat(current.mailState()).hasSize(1);
    }

    @Test
    void aFullStickFailsCleanlyAndKeepsTheLastGoodBackup(@TempDir Path tmp) throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("small-stick"));
        org.junit.jupiter.api.Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()) == 0,
                "needs root to mount a 1 MiB tmpfs as the full stick");
        try {
            BackupStick stick = new BackupStick(mount);
            Started started = firstBackup(tmp.resolve("a"), stick, "fits");
            Box a = started.box();

            byte[] noise = new byte[2 << 20]; // incompressible: does not fit in what is left
            new SecureRandom().nextBytes(noise);
            a.deliver(started.alice(), "Subject: big\r\n\r\n" + java.util.Base64.getEncoder().encodeToString(noise) + "\r\n");
            assertThatThrownBy(() -> a.backup(stick, "20261128T033000Z")).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(BackupService.explain((Exception) e)).contains("stick is full"));

            assertThat(stick.authenticated(KEY).genuine()).extracting(Completion::id).containsExactly("20261127T033000Z");
            try (Stream<Path> all = Files.walk(stick.root())) {
                assertThat(all.map(Path::toString)).noneMatch(p -> p.endsWith(".partial") || p.contains("20261128T033000Z"));
            }
            Box b = box(tmp.resolve("b"), 1);
            b.restore(stick, "20261127T033000Z");
            assertThat(b.mailState()).hasSize(1).allMatch(row -> row.contains("fits"));
            assertThat(Set.copyOf(a.mailState()).size()).isEqualTo(2); // the live box lost nothing either
        } finally {
            run("umount", mount.toString());
        }
    }

    @Test
    void aStickPulledMidBackupLeavesNoBackupThatLooksCompleteAndTheNextRunWorks(@TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("stick.img");
        Path mount = Files.createDirectories(tmp.resolve("stick"));
        org.junit.jupiter.api.Assumptions.assumeTrue(run("truncate", "-s", "16M", image.toString()) == 0
                && run("mkfs.ext4", "-q", "-F", image.toString()) == 0 && run("mount", "-o", "loop", image.toString(), mount.toString()) == 0,
                "needs mkfs.ext4 and root to loop-mount a file system image as the stick");
        try {
            BackupStick stick = new BackupStick(mount);
            Started started = firstBackup(tmp.resolve("a"), stick, "kept");
            Box a = started.box();
            for (int i = 0; i < 12; i++) {
                a.deliver(started.alice(), "Subject: new " + i + "\r\n\r\n" + "y".repeat(8_000) + "\r\n");
            }

            boolean[] pulled = {false};
            BackupRunner.Progress pullAfterFirstPack = (phase, bd, bt, fd, ft) -> {
                if (phase.equals("writing") && !pulled[0]) {
                    pulled[0] = true;
                    assertThat(run("umount", "-l", mount.toString())).isZero(); // the mount point is bare from now on, as after a pull
                }
            };
            assertThatThrownBy(() -> a.backup(stick, "20261128T033000Z", 16_384, pullAfterFirstPack))
                    .isInstanceOf(BackupStick.StickRemovedException.class)
                    .satisfies(e -> assertThat(BackupService.explain((Exception) e)).contains("stick was removed"));
            try (Stream<Path> left = Files.list(mount)) {
                assertThat(left).as("nothing written to the bare mount point (on the box: the SD card)").isEmpty();
            }

            // the stick comes back: only the earlier backup is complete, and it restores
            for (int i = 0; i < 100 && run("sh", "-c", "losetup -j " + image + " | grep -q .") == 0; i++) {
                Thread.sleep(50); // the lazily unmounted file system lets go of its loop device once the run's files are closed
            }
            assertThat(run("mount", "-o", "loop", image.toString(), mount.toString())).isZero();
            assertThat(stick.authenticated(KEY).genuine()).extracting(Completion::id).containsExactly("20261127T033000Z");
            Box b = box(tmp.resolve("b"), 1);
            b.restore(stick, "20261127T033000Z");
            assertThat(b.mailState()).hasSize(1).allMatch(row -> row.contains("kept"));

            // and the next run works
            a.backup(stick, "20261129T033000Z", 16_384, (phase, bd, bt, fd, ft) -> { });
            assertThat(stick.authenticated(KEY).genuine()).extracting(Completion::id).containsExactly("20261129T033000Z", "20261127T033000Z");
        } finally {
            run("umount", mount.toString());
        }
    }

    @Test
    void aRestoreInterruptedWhileSwitchingLeavesABoxThatIsNotSetUpAndRunsAgain(@TempDir Path tmp) throws Exception {
        Box a = box(tmp.resolve("a"), 1);
        long alice = a.directory.createAccount(addr("alice@example.test"), "alice-password", null).id();
        a.deliver(alice, "Subject: one\r\n\r\nfirst\r\n");
        a.deliver(alice, "Subject: two\r\n\r\nsecond\r\n");
        BackupStick stick = new BackupStick(tmp.resolve("stick"));
        a.backup(stick, "20261128T033000Z");
        List<String> before = a.mailState();

        // the fresh box's certificate path is blocked by a directory: moving the restored files in fails part way,
        // as a crash there would leave it (some files moved, the database not yet restored)
        Box b = box(tmp.resolve("b"), 1);
        Path cert = b.dirs.tls().resolve("cert.pem");
        Files.delete(cert);
        Files.writeString(Files.createDirectories(cert).resolve("obstacle"), "x");
        assertThatThrownBy(() -> b.restore(stick, "20261128T033000Z")).isInstanceOf(IOException.class);
        assertThat(b.mailState()).as("the database is the fresh box's: it does not look set up").isEmpty();
        assertThat(b.directory.account("alice@example.test")).isEmpty();

        BackupStick.deleteTree(cert);
        b.restore(stick, "20261128T033000Z"); // restarting the restore starts from a clean staging directory
        assertThat(b.mailState()).isEqualTo(before);
        assertThat(Files.exists(b.dirs.restoreStaging())).isFalse();
    }

    /** A box with alice@example.test and one message, and its first backup (20261127T033000Z) on the stick. */
    record Started(Box box, long alice) {
    }

    Started firstBackup(Path root, BackupStick stick, String body) throws IOException {
        Box a = box(root, 1);
        long alice = a.directory.createAccount(addr("alice@example.test"), "alice-password", null).id();
        a.deliver(alice, "Subject: first\r\n\r\n" + body + "\r\n");
        a.backup(stick, "20261127T033000Z");
        return new Started(a, alice);
    }

    static int run(String... command) {
        try {
            return new ProcessBuilder(command).inheritIO().start().waitFor();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }
}
