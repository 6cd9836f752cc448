package org.mailkeep.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jboss.logging.Logger;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One backup run: a consistent snapshot written to the stick, incremental against the newest complete
 * snapshot, read back and verified, and only then marked complete. A failure removes what this run wrote
 * and leaves every earlier snapshot as it was.
 */
final class BackupRunner {

    private static final Logger LOG = Logger.getLogger(BackupRunner.class);

    /** Progress as the run goes: bytes and files done out of the totals known so far. */
    interface Progress {
        void update(String phase, long bytesDone, long bytesTotal, int filesDone, int filesTotal);
    }

    record Result(String id, long bytes, int files, int newFiles) {
    }

    private final DataDirectory dirs;
    private final Database db;
    private final List<Path> backupPaths;
    private final BackupStick stick;
    private final BackupKey key;
    private final long packBytes;
    private final Progress progress;

    BackupRunner(DataDirectory dirs, Database db, List<Path> backupPaths, BackupStick stick, BackupKey key, long packBytes, Progress progress) {
        this.dirs = dirs;
        this.db = db;
        this.backupPaths = backupPaths;
        this.stick = stick;
        this.key = key;
        this.packBytes = packBytes;
        this.progress = progress;
    }

    Result run(String id) throws IOException {
        stick.prepare();
        Object stickIdentity = stick.identity();
        Path work = dirs.root().resolve("backup-work");
        BackupStick.deleteTree(work);
        Files.createDirectories(work);
        List<String> writtenPacks = new ArrayList<>();
        try {
            Map<String, Manifest.Entry> previous = previousEntries();
            Path dbCopy = work.resolve("mailkeep.db");
            // SQLite online backup API: a consistent copy while mail keeps flowing
            db.read(c -> {
                try (var st = c.createStatement()) {
                    st.executeUpdate("backup to " + dbCopy.toAbsolutePath());
                }
                return null;
            });
            List<Path> files = listFiles();
            List<Manifest.Entry> entries = new ArrayList<>();
            List<Path> toPack = new ArrayList<>();
            for (Path file : files) {
                Manifest.Entry old = previous.get(relative(file));
                if (old != null && unchanged(file, old) && Files.exists(stick.pack(old.pack()))) {
                    entries.add(old);
                } else {
                    toPack.add(file);
                }
            }
            long totalBytes = 0;
            for (Path p : toPack) {
                totalBytes += Files.size(p);
            }
            entries.addAll(writePacks(id, toPack, totalBytes, writtenPacks, stickIdentity));
            entries.sort((a, b) -> a.path().compareTo(b.path()));

            Path snapshot = stick.snapshot(id);
            stick.checkStillThere(stickIdentity);
            Files.createDirectories(snapshot);
            Manifest manifest = new Manifest(Manifest.FORMAT, id, Instant.now().toString(), db.schemaVersions(), entries);
            BackupStick.writeAtomically(snapshot.resolve(BackupStick.MANIFEST), out -> {
                try (OutputStream enc = OpenPgpFile.encrypt(out, key, "manifest.json")) {
                    BackupStick.JSON.writeValue(new NonClosingOutput(enc), manifest);
                }
            });
            BackupStick.writeAtomically(snapshot.resolve(BackupStick.DB), out -> {
                try (OutputStream enc = OpenPgpFile.encrypt(out, key, "mailkeep.db"); InputStream in = Files.newInputStream(dbCopy)) {
                    in.transferTo(enc);
                }
            });

            progress.update("verifying", 0, 0, 0, 0);
            Map<String, String> snapshotFiles = new TreeMap<>();
            snapshotFiles.put(BackupStick.DB, verifyWhole(snapshot.resolve(BackupStick.DB)));
            snapshotFiles.put(BackupStick.MANIFEST, verifyWhole(snapshot.resolve(BackupStick.MANIFEST)));
            Map<String, List<Manifest.Entry>> byPack = new HashMap<>();
            entries.forEach(e -> byPack.computeIfAbsent(e.pack(), k -> new ArrayList<>()).add(e));
            Map<String, String> packs = new TreeMap<>();
            Map<String, String> previousPackHashes = previousPackHashes();
            for (String pack : byPack.keySet()) {
                packs.put(pack, writtenPacks.contains(pack) ? verifyPack(pack, byPack.get(pack)) : previousPackHashes.get(pack));
            }
            long bytes = 0;
            for (String pack : packs.keySet()) {
                bytes += Files.size(stick.pack(pack));
            }
            bytes += Files.size(snapshot.resolve(BackupStick.DB)) + Files.size(snapshot.resolve(BackupStick.MANIFEST));
            stick.checkStillThere(stickIdentity); // what was verified is on the stick, not on the SD card under its mount point
            Completion completion = Completion.signed(key, Manifest.FORMAT, id, Instant.now().toString(), bytes, entries.size(), snapshotFiles, packs);
            BackupStick.writeAtomically(snapshot.resolve(BackupStick.COMPLETE), out -> BackupStick.JSON.writeValue(new NonClosingOutput(out), completion));
            LOG.infof("backup %s complete: %d files (%d new), %d bytes on the stick", id, entries.size(), toPack.size(), bytes);
            return new Result(id, bytes, entries.size(), toPack.size());
        } catch (IOException | RuntimeException e) {
            discard(id, writtenPacks);
            throw e;
        } finally {
            BackupStick.deleteTree(work);
        }
    }

    /** Removes what a failed run wrote; earlier snapshots are untouched. */
    private void discard(String id, List<String> writtenPacks) {
        try {
            BackupStick.deleteTree(stick.snapshot(id));
            for (String pack : writtenPacks) {
                Files.deleteIfExists(stick.pack(pack));
            }
            try (Stream<Path> partials = Files.list(stick.packs())) {
                for (Path p : partials.filter(p -> p.getFileName().toString().startsWith(id)).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException cleanup) {
            LOG.warnf("could not remove the remains of failed backup %s: %s", id, cleanup.getMessage());
        }
    }

    /**
     * Whether a file is the one the previous snapshot holds. Message files are written once and never
     * changed, so the same name and size mean the same content without reading 20 GB every night; the few
     * other files (keys, certificates) are compared by their SHA-256.
     */
    private boolean unchanged(Path file, Manifest.Entry old) throws IOException {
        if (old.size() != Files.size(file)) {
            return false;
        }
        if (old.path().startsWith("messages/")) {
            return true;
        }
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest()).equals(old.sha256());
    }

    private Map<String, Manifest.Entry> previousEntries() {
        try {
            for (Completion completion : stick.authenticated(key).genuine()) {
                Manifest manifest = BackupReader.manifest(stick, completion.id(), key.decryptor());
                Map<String, Manifest.Entry> byPath = new HashMap<>();
                manifest.files().forEach(e -> byPath.put(e.path(), e));
                return byPath;
            }
        } catch (IOException e) {
            LOG.infof("newest backup on the stick cannot be read with this passphrase (%s): writing a full backup", e.getMessage());
        }
        return Map.of();
    }

    private Map<String, String> previousPackHashes() throws IOException {
        Map<String, String> hashes = new HashMap<>();
        for (Completion completion : stick.authenticated(key).genuine()) {
            hashes.putAll(completion.packs());
        }
        return hashes;
    }

    private List<Path> listFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : backupPaths) {
            if (!Files.exists(path)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".tmp")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private String relative(Path file) {
        return dirs.root().relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    private List<Manifest.Entry> writePacks(String id, List<Path> files, long totalBytes, List<String> writtenPacks, Object stickIdentity)
            throws IOException {
        List<Manifest.Entry> entries = new ArrayList<>();
        int index = 0;
        int done = 0;
        long bytesDone = 0;
        while (index < files.size()) {
            stick.checkStillThere(stickIdentity);
            String pack = id + "-" + String.format("%04d", writtenPacks.size() + 1);
            writtenPacks.add(pack);
            int start = index;
            long[] packed = {0};
            int[] next = {index};
            BackupStick.writeAtomically(stick.pack(pack), out -> {
                try (OutputStream enc = OpenPgpFile.encrypt(out, key, pack + ".tar");
                     TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosingOutput(enc))) {
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                    while (next[0] < files.size() && (next[0] == start || packed[0] < packBytes)) {
                        Path file = files.get(next[0]);
                        long size = Files.size(file);
                        TarArchiveEntry entry = new TarArchiveEntry(relative(file));
                        entry.setSize(size);
                        entry.setModTime(Files.getLastModifiedTime(file).toMillis());
                        tar.putArchiveEntry(entry);
                        MessageDigest sha = sha256();
                        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
                            long copied = in.transferTo(tar);
                            if (copied != size) {
                                throw new IOException(file + " changed size while it was backed up");
                            }
                        }
                        tar.closeArchiveEntry();
                        entries.add(new Manifest.Entry(relative(file), size, HexFormat.of().formatHex(sha.digest()), pack));
                        packed[0] += size;
                        next[0]++;
                    }
                    tar.finish();
                }
            });
            bytesDone += packed[0];
            done += next[0] - index;
            index = next[0];
            progress.update("writing", bytesDone, totalBytes, done, files.size());
        }
        return entries;
    }

    /** Reads a pack back from the stick, decrypts it and checks every file's SHA-256; returns the pack file's own SHA-256. */
    private String verifyPack(String pack, List<Manifest.Entry> expected) throws IOException {
        Map<String, Manifest.Entry> byPath = new LinkedHashMap<>();
        expected.forEach(e -> byPath.put(e.path(), e));
        MessageDigest fileSha = sha256();
        try (InputStream raw = new DigestInputStream(Files.newInputStream(stick.pack(pack)), fileSha);
             InputStream plain = OpenPgpFile.decrypt(raw, key.decryptor());
             TarArchiveInputStream tar = new TarArchiveInputStream(plain)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                MessageDigest sha = sha256();
                try (InputStream content = new DigestInputStream(new NonClosingInput(tar), sha)) {
                    content.transferTo(OutputStream.nullOutputStream());
                }
                Manifest.Entry want = byPath.remove(entry.getName());
                if (want != null && !want.sha256().equals(HexFormat.of().formatHex(sha.digest()))) {
                    throw new IOException("verification failed: " + entry.getName() + " in pack " + pack + " does not match");
                }
            }
            plain.transferTo(OutputStream.nullOutputStream()); // reach the end: runs the integrity check
            raw.transferTo(OutputStream.nullOutputStream());
        }
        if (!byPath.isEmpty()) {
            throw new IOException("verification failed: pack " + pack + " lacks " + byPath.keySet().iterator().next());
        }
        return HexFormat.of().formatHex(fileSha.digest());
    }

    /** Decrypts a whole file (running its integrity check); returns the SHA-256 of the encrypted file. */
    private String verifyWhole(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream raw = new DigestInputStream(Files.newInputStream(file), sha); InputStream plain = OpenPgpFile.decrypt(raw, key.decryptor())) {
            plain.transferTo(OutputStream.nullOutputStream());
            raw.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets a writer (Jackson, tar, the encryptor) close its stream without closing the one underneath. */
    static final class NonClosingOutput extends java.io.FilterOutputStream {
        NonClosingOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** Lets a reader close its view of one tar entry without closing the archive. */
    static final class NonClosingInput extends java.io.FilterInputStream {
        NonClosingInput(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
