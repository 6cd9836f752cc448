package org.mailkeep.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.mailkeep.store.DataDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The backup layout on the stick, all below {@code <target>/mailkeep-backup/}:
 * <pre>
 * README.txt                          how to open the backup on any PC with gpg and tar
 * packs/ID-NNNN.tar.gpg               file contents (tar, OpenPGP-encrypted), written once, shared by later
 *                                     incremental snapshots that still need them
 * snapshots/ID/db.sqlite.gpg          the database (SQLite online backup), encrypted
 * snapshots/ID/manifest.json.gpg      every file of the snapshot and the pack holding it, encrypted
 * snapshots/ID/COMPLETE               written last, after verification: a snapshot without it does not exist
 * </pre>
 * Every file is written as {@code NAME.partial}, fsynced, then renamed, so a pulled stick or a crash never
 * leaves a file that looks complete.
 */
public final class BackupStick {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String COMPLETE = "COMPLETE";
    static final String DB = "db.sqlite.gpg";
    static final String MANIFEST = "manifest.json.gpg";
    /** Snapshot ids: {@code 20261128T033000Z} or {@code 20261128T033000Z-2}; nothing else names a snapshot directory. */
    static final Pattern ID = Pattern.compile("\\d{8}T\\d{6}Z(-\\d{1,4})?");
    /** Pack names: the id of the run that wrote the pack and its number. */
    static final Pattern PACK = Pattern.compile("\\d{8}T\\d{6}Z(-\\d{1,4})?-\\d{4}");

    private final Path root;

    public BackupStick(Path target) {
        this.root = target.resolve("mailkeep-backup");
    }

    public Path root() {
        return root;
    }

    Path packs() {
        return root.resolve("packs");
    }

    /** A pack file; {@code name} must be a pack name ({@link #PACK}), never a path. */
    Path pack(String name) {
        if (!PACK.matcher(name).matches()) {
            throw new IllegalArgumentException("not a backup pack name: " + name);
        }
        return packs().resolve(name + ".tar.gpg");
    }

    Path snapshots() {
        return root.resolve("snapshots");
    }

    /** A snapshot's directory; {@code id} must be a snapshot id ({@link #ID}), so it can name no other path. */
    Path snapshot(String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException("not a backup id: " + id);
        }
        return snapshots().resolve(id);
    }

    /** Whether {@code id} is a snapshot id as {@link Retention#ID} makes them (UTC time, "-N" when a second run took the same second). */
    static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    void prepare() throws IOException {
        Files.createDirectories(packs());
        Files.createDirectories(snapshots());
        Path readme = root.resolve("README.txt");
        if (!Files.exists(readme)) {
            try (InputStream in = BackupStick.class.getResourceAsStream("/backup-README.txt")) {
                writeAtomically(readme, out -> in.transferTo(out));
            }
        }
    }

    /**
     * The stick's root directory as the kernel knows it (device and inode). Another value later means the stick
     * was pulled, unmounted or swapped: the path then leads to the empty mount point on the SD card, and a
     * backup must not go on writing there.
     */
    Object identity() throws IOException {
        return Files.readAttributes(root, BasicFileAttributes.class).fileKey();
    }

    /** Throws {@link StickRemovedException} unless the stick root is still the one {@link #identity()} saw. */
    void checkStillThere(Object identity) throws IOException {
        Object now;
        try {
            now = identity();
        } catch (IOException gone) {
            now = null;
        }
        if (now == null || !now.equals(identity)) {
            throw new StickRemovedException();
        }
    }

    /** The stick went away while a backup was being written. */
    static final class StickRemovedException extends IOException {
        StickRemovedException() {
            super("the backup stick was removed or unmounted during the backup: plug it in again and start the backup again");
        }
    }

    /** A {@code COMPLETE} marker that is ignored, and why. */
    public record Rejected(String snapshot, String reason) {
    }

    /**
     * The markers on the stick: the genuine ones, newest first, and the ones ignored; {@code otherPacks} are the pack
     * names the well-formed ignored markers list (an older MailKeep's unsigned backups: retention leaves those packs).
     */
    public record Listing(List<Completion> genuine, List<Rejected> rejected, java.util.Set<String> otherPacks) {
    }

    /**
     * The snapshots whose markers are well formed (valid id equal to their directory name, valid pack and file names),
     * newest first, without checking who wrote them: what a fresh box can offer for restore before the passphrase is
     * typed. Nothing is read from a snapshot of this list before {@link #genuine} with the passphrase's key accepted it.
     */
    public List<Completion> wellFormed() throws IOException {
        return scan(null).genuine();
    }

    /**
     * The markers MailKeep wrote with {@code key} (MAC checked), newest first; every other marker is in
     * {@link Listing#rejected()} and is never used, deleted or followed.
     */
    Listing authenticated(BackupKey key) throws IOException {
        return scan(key);
    }

    /** Why {@code marker} is not genuine under {@code key}; empty when it is. */
    static Optional<String> genuine(Completion marker, BackupKey key) {
        if (marker.mac() == null) {
            return Optional.of("the marker carries no MAC (forged, or written by a MailKeep before markers were signed)");
        }
        if (!key.saltHex().equals(marker.keySalt())) {
            return Optional.of("the marker was made with another backup passphrase (or before it was last set)");
        }
        return key.macMatches(marker.signedText(), marker.mac()) ? Optional.empty()
                : Optional.of("the marker's MAC does not match: it was changed or forged");
    }

    private Listing scan(BackupKey key) throws IOException {
        List<Completion> genuine = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        java.util.Set<String> otherPacks = new java.util.TreeSet<>();
        if (!Files.isDirectory(snapshots())) {
            return new Listing(genuine, rejected, otherPacks);
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshots())) {
            for (Path dir : dirs) {
                Path marker = dir.resolve(COMPLETE);
                if (!Files.isRegularFile(marker, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String name = dir.getFileName().toString();
                Completion completion;
                try {
                    completion = JSON.readValue(marker.toFile(), Completion.class);
                } catch (IOException e) {
                    rejected.add(new Rejected(name, "the marker cannot be read: " + e.getMessage()));
                    continue;
                }
                Optional<String> malformed = malformed(name, completion);
                Optional<String> why = malformed.or(() -> key == null ? Optional.empty() : genuine(completion, key));
                if (why.isPresent()) {
                    rejected.add(new Rejected(name, why.get()));
                    if (malformed.isEmpty()) {
                        otherPacks.addAll(completion.packs().keySet());
                    }
                } else {
                    genuine.add(completion);
                }
            }
        }
        genuine.sort(Comparator.comparing(Completion::id).reversed());
        rejected.sort(Comparator.comparing(Rejected::snapshot));
        return new Listing(genuine, rejected, otherPacks);
    }

    /** Why a marker in directory {@code dir} cannot describe a snapshot: names that are not ids, or paths in place of names. */
    private static Optional<String> malformed(String dir, Completion c) {
        if (!validId(c.id()) || !c.id().equals(dir)) {
            return Optional.of("the marker names an invalid snapshot id: " + c.id());
        }
        if (c.packs() == null || c.snapshotFiles() == null || !c.packs().keySet().stream().allMatch(p -> PACK.matcher(p).matches())
                || !java.util.Set.of(DB, MANIFEST).containsAll(c.snapshotFiles().keySet())) {
            return Optional.of("the marker names invalid packs or files");
        }
        return Optional.empty();
    }

    /** Writes {@code target} through a .partial file that is fsynced and renamed into place. */
    static void writeAtomically(Path target, IOConsumer<OutputStream> writer) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writer.accept(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DataDirectory.fsyncDirectory(target.getParent());
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @FunctionalInterface
    interface IOConsumer<T> {
        void accept(T value) throws IOException;
    }
}
