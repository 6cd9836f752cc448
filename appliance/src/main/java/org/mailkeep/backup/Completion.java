package org.mailkeep.backup;

import java.util.Map;

/**
 * The plain-text {@code COMPLETE} marker of a snapshot, written last, after every file was read back and
 * verified. A snapshot directory without it is an interrupted backup and is never used. It names the
 * encrypted files and the packs the snapshot needs, with the SHA-256 of each encrypted file, and holds no
 * secret.
 */
public record Completion(int format, String id, String finishedAt, long bytes, int files, Map<String, String> snapshotFiles,
                         Map<String, String> packs) {
}
