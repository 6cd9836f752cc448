package org.mailkeep.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bouncycastle.openpgp.operator.PBEDataDecryptorFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads a completed snapshot back: its manifest, its database, and the files it contains, each checked against its SHA-256. */
final class BackupReader {

    private BackupReader() {
    }

    static Manifest manifest(BackupStick stick, String id, PBEDataDecryptorFactory unlock) throws IOException {
        try (InputStream in = OpenPgpFile.decrypt(Files.newInputStream(stick.snapshot(id).resolve(BackupStick.MANIFEST)), unlock)) {
            byte[] json = in.readAllBytes(); // small, and must be read to its end for the integrity check
            Manifest manifest = BackupStick.JSON.readValue(json, Manifest.class);
            if (manifest.format() > Manifest.FORMAT) {
                throw new IOException("backup " + id + " was made by a newer MailKeep (format " + manifest.format() + "): update first");
            }
            return manifest;
        }
    }

    /** Decrypts the snapshot's database into {@code target}. */
    static void database(BackupStick stick, String id, PBEDataDecryptorFactory unlock, Path target) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try (InputStream in = OpenPgpFile.decrypt(Files.newInputStream(stick.snapshot(id).resolve(BackupStick.DB)), unlock)) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Extracts the files of {@code wanted} (paths relative to the data directory) from their packs into
     * {@code targetRoot}, checking each against the manifest. Throws on any mismatch or damaged pack.
     */
    static int extract(BackupStick stick, Manifest manifest, Set<String> wanted, PBEDataDecryptorFactory unlock, Path targetRoot,
                       BackupRunner.Progress progress) throws IOException {
        Map<String, Manifest.Entry> byPath = new HashMap<>();
        Set<String> packs = new TreeSet<>();
        long total = 0;
        for (Manifest.Entry e : manifest.files()) {
            if (wanted.contains(e.path())) {
                byPath.put(e.path(), e);
                packs.add(e.pack());
                total += e.size();
            }
        }
        int count = 0;
        long done = 0;
        for (String pack : packs) {
            Path packFile = stick.pack(pack);
            if (!Files.exists(packFile)) {
                throw new IOException("pack " + pack + " is missing from the stick");
            }
            try (InputStream plain = OpenPgpFile.decrypt(Files.newInputStream(packFile), unlock);
                 TarArchiveInputStream tar = new TarArchiveInputStream(plain)) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Manifest.Entry want = byPath.get(entry.getName());
                    if (want == null || !want.pack().equals(pack)) {
                        continue;
                    }
                    Path target = targetRoot.resolve(want.path()).normalize();
                    if (!target.startsWith(targetRoot)) {
                        throw new IOException("refusing a path outside the data directory: " + want.path());
                    }
                    Files.createDirectories(target.getParent());
                    MessageDigest sha = BackupRunner.sha256();
                    try (InputStream content = new DigestInputStream(new BackupRunner.NonClosingInput(tar), sha)) {
                        Files.copy(content, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    if (!HexFormat.of().formatHex(sha.digest()).equals(want.sha256())) {
                        throw new IOException("damaged backup: " + want.path() + " in pack " + pack + " does not match its checksum");
                    }
                    byPath.remove(want.path());
                    count++;
                    done += want.size();
                    progress.update("restoring", done, total, count, wanted.size());
                }
                plain.transferTo(OutputStream.nullOutputStream()); // integrity check of the whole pack
            } catch (OpenPgpFile.WrongPassphraseException e) {
                throw e;
            } catch (IOException e) {
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                throw new IOException(reason.contains(pack) ? reason : "damaged backup: pack " + pack + " cannot be read (" + reason + ")", e);
            }
        }
        if (!byPath.isEmpty()) {
            throw new IOException("damaged backup: " + byPath.size() + " files missing, e.g. " + byPath.keySet().iterator().next());
        }
        return count;
    }

    static Set<String> allPaths(Manifest manifest) {
        Set<String> paths = new TreeSet<>();
        manifest.files().forEach(e -> paths.add(e.path()));
        return paths;
    }

    static List<Manifest.Entry> entries(Manifest manifest, String prefix) {
        return manifest.files().stream().filter(e -> e.path().startsWith(prefix)).toList();
    }
}
