package org.mailkeep.backup;

import org.mailkeep.box.ConflictException;
import org.mailkeep.store.DataDirectory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Asks the root helper for what the unprivileged appliance may not do itself: unmount the stick ("eject") and
 * erase it with one ext4 partition ("prepare"). The request is one line, {@code <nonce> eject} or
 * {@code <nonce> prepare <disk> <N.N GB>}, written atomically to {@code <dir>/backup-request}; on the image
 * {@code mailkeep-stick-request.path} starts {@code /usr/lib/mailkeep/backup-stick request} (as root), which
 * checks the request itself, acts, and answers {@code <nonce> ok|error <words>} in {@code <dir>/backup-result}.
 */
final class StickHelper {

    static final String REQUEST = "backup-request";
    static final String RESULT = "backup-result";

    /** The helper's answer. */
    record Answer(boolean ok, String message) {
    }

    private final Path dir;

    StickHelper(Path dir) {
        this.dir = dir;
    }

    /** Sends one request and waits up to {@code timeout} for its answer (BackupService lets one operation run at a time). */
    Answer ask(String request, Duration timeout) throws IOException, InterruptedException {
        if (!Files.isDirectory(dir)) {
            throw new ConflictException("the stick helper is not installed here (no " + dir + "): mount and unmount the stick by hand");
        }
        String nonce = UUID.randomUUID().toString();
        Path requestFile = dir.resolve(REQUEST);
        DataDirectory.writeAtomically(requestFile, (nonce + " " + request + "\n").getBytes(StandardCharsets.US_ASCII));
        long deadline = System.nanoTime() + timeout.toNanos();
        Path resultFile = dir.resolve(RESULT);
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(resultFile)) {
                List<String> lines = Files.readAllLines(resultFile, StandardCharsets.UTF_8);
                if (!lines.isEmpty() && lines.get(0).startsWith(nonce + " ")) {
                    String[] statusAndWords = lines.get(0).substring(nonce.length() + 1).split(" ", 2);
                    return new Answer(statusAndWords[0].equals("ok"), statusAndWords.length > 1 ? statusAndWords[1] : "");
                }
            }
            Thread.sleep(100);
        }
        Files.deleteIfExists(requestFile); // unanswered: it must not be carried out later by surprise
        throw new IOException("the stick helper did not answer within " + timeout.toSeconds() + " s (is mailkeep-stick-request.path enabled?)");
    }
}
