package org.mailkeep.backup;

import java.util.Map;
import java.util.TreeMap;

/**
 * The plain-text {@code COMPLETE} marker of a snapshot, written last, after every file was read back and
 * verified. A snapshot directory without it is an interrupted backup and is never used. It names the
 * encrypted files and the packs the snapshot needs, with the SHA-256 of each encrypted file, and holds no
 * secret. Anyone with the stick can write one, so it carries {@code mac}: an HMAC of {@link #signedText()} under
 * the key of the backup passphrase ({@link BackupKey#mac}) whose salt is {@code keySalt}; a marker without a
 * matching MAC is ignored and reported ({@link BackupStick#authenticated}).
 */
public record Completion(int format, String id, String finishedAt, long bytes, int files, Map<String, String> snapshotFiles,
                         Map<String, String> packs, String keySalt, String mac) {

    /** A marker for a snapshot just written and verified, authenticated with {@code key}. */
    static Completion signed(BackupKey key, int format, String id, String finishedAt, long bytes, int files,
                             Map<String, String> snapshotFiles, Map<String, String> packs) {
        Completion unsigned = new Completion(format, id, finishedAt, bytes, files, snapshotFiles, packs, key.saltHex(), null);
        return new Completion(format, id, finishedAt, bytes, files, snapshotFiles, packs, key.saltHex(), key.mac(unsigned.signedText()));
    }

    /** Every field but the MAC, one per line, maps sorted: what the MAC covers. */
    String signedText() {
        StringBuilder text = new StringBuilder("mailkeep COMPLETE\n").append("format ").append(format).append('\n')
                .append("id ").append(id).append('\n').append("finishedAt ").append(finishedAt).append('\n')
                .append("bytes ").append(bytes).append('\n').append("files ").append(files).append('\n')
                .append("keySalt ").append(keySalt).append('\n');
        new TreeMap<>(snapshotFiles == null ? Map.of() : snapshotFiles).forEach((k, v) -> text.append("file ").append(k).append(' ').append(v).append('\n'));
        new TreeMap<>(packs == null ? Map.of() : packs).forEach((k, v) -> text.append("pack ").append(k).append(' ').append(v).append('\n'));
        return text.toString();
    }
}
