package org.mailkeep.backup;

import org.bouncycastle.openpgp.operator.PBEDataDecryptorFactory;
import org.jboss.logging.Logger;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.tls.CertificateStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Restores a snapshot: the whole box (database, messages, keys, certificates — exactly, with UIDVALIDITY,
 * UIDs, flags and folders), or one mailbox into separate folders. Everything is extracted and checked in
 * a staging directory first; the live state changes only after the whole snapshot proved intact.
 */
final class Restorer {

    private static final Logger LOG = Logger.getLogger(Restorer.class);

    private final DataDirectory dirs;
    private final Database db;
    private final CertificateStore certificates;
    private final MessageStore store;

    Restorer(DataDirectory dirs, Database db, CertificateStore certificates, MessageStore store) {
        this.dirs = dirs;
        this.db = db;
        this.certificates = certificates;
        this.store = store;
    }

    void restoreAll(BackupStick stick, Manifest manifest, PBEDataDecryptorFactory unlock, BackupRunner.Progress progress) throws IOException {
        Path staging = dirs.restoreStaging();
        BackupStick.deleteTree(staging);
        Files.createDirectories(staging);
        Path files = staging.resolve("files");
        BackupReader.extract(stick, manifest, BackupReader.allPaths(manifest), unlock, files, progress);
        Path database = staging.resolve("mailkeep.db");
        BackupReader.database(stick, manifest.id(), unlock, database);

        progress.update("switching", 0, 0, 0, 0);
        // Files first: the restored database must find every file it references. Message files have
        // unique names, so moving them in cannot disturb the mail that is there now.
        try (var walk = Files.walk(files)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path target = dirs.root().resolve(files.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        db.restoreFrom(database);
        Files.deleteIfExists(dirs.setupToken());
        BackupStick.deleteTree(staging);
        certificates.reloaded();
        LOG.infof("restored backup %s: %d files", manifest.id(), manifest.files().size());
    }

    /** A message of the snapshot's copy of the mailbox. */
    private record Saved(String folder, String file, String flags, long internalDate) {
    }

    int restoreMailbox(BackupStick stick, String id, PBEDataDecryptorFactory unlock, String address, LocalDate day) throws IOException {
        Manifest manifest = BackupReader.manifest(stick, id, unlock);
        Path scratch = Files.createTempDirectory(dirs.root(), "restore-mailbox-");
        try {
            Path snapshotDb = scratch.resolve("snapshot.db");
            BackupReader.database(stick, id, unlock, snapshotDb);
            List<Saved> saved = savedMessages(snapshotDb, address, day);
            Set<String> wanted = new HashSet<>();
            saved.forEach(s -> wanted.add("messages/" + s.file()));
            BackupReader.extract(stick, manifest, wanted, unlock, scratch, (p, a, b, c, d) -> { });
            long accountId = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM accounts WHERE address = ?")) {
                    ps.setString(1, address);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new org.mailkeep.box.NotFoundException("no mailbox " + address + " on this box");
                        }
                        return rs.getLong(1);
                    }
                }
            });
            String prefix = "Restored " + id + (day == null ? "" : " " + day) + "/";
            for (String folder : new LinkedHashSet<>(saved.stream().map(Saved::folder).toList())) {
                db.write(c -> Directory.createMailbox(c, accountId, prefix + folder, null));
            }
            for (Saved message : saved) {
                Path spooled = store.newSpoolFile();
                Files.copy(scratch.resolve("messages/" + message.file()), spooled);
                Set<String> flags = message.flags().isBlank() ? Set.of() : new HashSet<>(Arrays.asList(message.flags().split(" ")));
                store.deliver(spooled, List.of(new MessageStore.Delivery(accountId, prefix + message.folder(), flags)), message.internalDate());
            }
            return saved.size();
        } finally {
            BackupStick.deleteTree(scratch);
        }
    }

    private static List<Saved> savedMessages(Path snapshotDb, String address, LocalDate day) throws IOException {
        try (Connection c = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + snapshotDb, new java.util.Properties());
             PreparedStatement ps = c.prepareStatement("""
                     SELECT b.name, m.file, mm.flags, mm.internal_date FROM accounts a
                     JOIN mailboxes b ON b.account_id = a.id JOIN mailbox_messages mm ON mm.mailbox_id = b.id
                     JOIN messages m ON m.id = mm.message_id WHERE a.address = ? ORDER BY b.name, mm.uid""")) {
            ps.setString(1, address);
            List<Saved> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long internalDate = rs.getLong(4);
                    if (day == null || java.time.Instant.ofEpochMilli(internalDate).atZone(ZoneId.systemDefault()).toLocalDate().equals(day)) {
                        result.add(new Saved(rs.getString(1), rs.getString(2), rs.getString(3), internalDate));
                    }
                }
            }
            if (result.isEmpty()) {
                throw new org.mailkeep.box.NotFoundException("backup has no mail of " + address + (day == null ? "" : " on " + day));
            }
            return result;
        } catch (SQLException e) {
            throw new IOException("cannot read the backup's database: " + e.getMessage(), e);
        }
    }
}
