package org.mailkeep.backup;

import java.util.List;
import java.util.Map;

/**
 * The encrypted table of contents of one snapshot ({@code manifest.json.gpg}): every file of the data
 * directory it contains, with the pack that holds its content. Format version 1; see BackupStick for the layout.
 */
public record Manifest(int format, String id, String createdAt, Map<String, Integer> schemaVersions, List<Entry> files) {

    public static final int FORMAT = 1;

    /** A file, by its path relative to the data directory. */
    public record Entry(String path, long size, String sha256, String pack) {
    }
}
