package org.mailkeep.store;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.config.MailkeepConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one place that says where state lives. Everything the appliance keeps is below {@link #root()}:
 * <pre>
 * data-dir/
 *   mailkeep.db          SQLite database (WAL): accounts, mailboxes, message index, queue, settings
 *   mailkeep.db-wal/-shm SQLite's write-ahead log
 *   messages/ab/cd/ID    message files, written once, fsynced before "250 OK", never modified
 *   spool/               incoming messages while they are being received (deleted or moved into messages/)
 *   tls/                 certificate chain and key served by every listener (self-signed until ACME)
 *   dkim/                DKIM signing keys
 *   acme/                ACME account key (the CA knows the account by it)
 *   relay-credentials    smarthost user name and password (mode 0600)
 *   setup-token          one-time token that claims the box (deleted when setup completes)
 *   backup-passphrase    the backup passphrase (0600), so daily backups run unattended; never in a backup
 *   backup-work/         temporary database copy while a backup runs
 *   restore-staging/     files of a restore in progress (discarded if a restore is interrupted)
 * </pre>
 * A backup copies the database (online backup API) and the directories listed by each feature.
 */
@ApplicationScoped
public class DataDirectory {

    private final Path root;

    @jakarta.inject.Inject
    public DataDirectory(MailkeepConfig config) {
        this(Path.of(config.dataDir()));
    }

    public DataDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path database() {
        return root.resolve("mailkeep.db");
    }

    public Path messages() {
        return dir("messages");
    }

    public Path spool() {
        return dir("spool");
    }

    public Path tls() {
        return dir("tls");
    }

    public Path acme() {
        return dir("acme");
    }

    public Path dkim() {
        return dir("dkim");
    }

    /** Where MailKeep before issue 15 kept the backup passphrase in plain text (migrated to {@link #backupKey()} at start). */
    public Path backupPassphrase() {
        return root.resolve("backup-passphrase");
    }

    /** The backup passphrase's derived key (backup.BackupKey), mode 0600: the passphrase itself is not kept. */
    public Path backupKey() {
        return root.resolve("backup-key");
    }

    public Path restoreStaging() {
        return root.resolve("restore-staging");
    }

    /** The relay (smarthost) credentials, readable by the appliance's user only. */
    public Path relayCredentials() {
        return root.resolve("relay-credentials");
    }

    public Path setupToken() {
        return root.resolve("setup-token");
    }

    private Path dir(String name) {
        Path dir = root.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    /**
     * Makes a rename or a new file durable by fsyncing its directory (POSIX: the directory entry is only
     * on disk after the directory itself is synced).
     */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Writes a small file atomically: temp file, fsync, rename, fsync of the directory. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }

    /** Like {@link #writeAtomically}, but the file is created with mode 0600 before anything is written to it (keys, credentials). */
    public static void writeSecret(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }
}
