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

    Path pack(String name) {
        return packs().resolve(name + ".tar.gpg");
    }

    Path snapshots() {
        return root.resolve("snapshots");
    }

    Path snapshot(String id) {
        return snapshots().resolve(id);
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

    /** Completed snapshots, newest first. */
    public List<Completion> completed() throws IOException {
        List<Completion> result = new ArrayList<>();
        if (!Files.isDirectory(snapshots())) {
            return result;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshots())) {
            for (Path dir : dirs) {
                Path marker = dir.resolve(COMPLETE);
                if (Files.isRegularFile(marker)) {
                    result.add(JSON.readValue(marker.toFile(), Completion.class));
                }
            }
        }
        result.sort(Comparator.comparing(Completion::id).reversed());
        return result;
    }

    public Optional<Completion> completed(String id) throws IOException {
        return completed().stream().filter(c -> c.id().equals(id)).findFirst();
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
