package org.mailkeep.backup;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which snapshots to keep, and removing the others ({@link #apply}). Which snapshots to keep: the newest of each of the last N days, N ISO weeks and N months (the
 * grandfather-father-son scheme of restic's and borg's {@code --keep-daily/--keep-weekly/--keep-monthly}).
 * The newest snapshot is always kept.
 */
final class Retention {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Retention.class);

    static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private Retention() {
    }

    /** @param ids snapshot ids (UTC timestamps, see {@link #ID}), in any order */
    static Set<String> keep(List<String> ids, int daily, int weekly, int monthly) {
        List<String> newestFirst = ids.stream().sorted((a, b) -> b.compareTo(a)).toList();
        Set<String> keep = new LinkedHashSet<>();
        if (!newestFirst.isEmpty()) {
            keep.add(newestFirst.get(0));
        }
        keepPerPeriod(newestFirst, daily, d -> d.toString(), keep);
        keepPerPeriod(newestFirst, weekly, d -> d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), keep);
        keepPerPeriod(newestFirst, monthly, d -> d.getYear() + "-" + d.getMonthValue(), keep);
        return keep;
    }

    private static void keepPerPeriod(List<String> newestFirst, int periods, java.util.function.Function<LocalDate, String> period, Set<String> keep) {
        Set<String> seen = new LinkedHashSet<>();
        for (String id : newestFirst) {
            if (seen.size() >= periods) {
                return;
            }
            String p = period.apply(date(id));
            if (seen.add(p)) {
                keep.add(id);
            }
        }
    }

    /**
     * Deletes the genuine snapshots the policy no longer keeps, then packs no kept snapshot needs, and leftovers of
     * failed runs. Only what {@code listing} proved genuine is ever deleted as a snapshot, and every path comes from a
     * directory listing of the stick's own {@code snapshots/} and {@code packs/}, checked against the id and pack name
     * patterns: nothing read from a marker names a path. Markers that are not genuine are left as they are.
     */
    static void apply(BackupStick stick, BackupStick.Listing listing, int daily, int weekly, int monthly) throws java.io.IOException {
        List<Completion> completed = listing.genuine();
        Set<String> keep = keep(completed.stream().map(Completion::id).toList(), daily, weekly, monthly);
        Set<String> neededPacks = new java.util.HashSet<>(listing.otherPacks());
        for (Completion c : completed) {
            if (keep.contains(c.id())) {
                neededPacks.addAll(c.packs().keySet());
            } else {
                Files.deleteIfExists(stick.snapshot(c.id()).resolve(BackupStick.COMPLETE)); // first: the snapshot stops existing
                BackupStick.deleteTree(stick.snapshot(c.id()));
                LOG.infof("backup %s removed by the retention policy", c.id());
            }
        }
        try (var dirs = Files.list(stick.snapshots())) {
            for (Path dir : dirs.toList()) {
                boolean snapshotDir = BackupStick.validId(dir.getFileName().toString()) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
                if (snapshotDir && !Files.exists(dir.resolve(BackupStick.COMPLETE), LinkOption.NOFOLLOW_LINKS)) {
                    BackupStick.deleteTree(dir); // an interrupted run's snapshot: never complete, never used
                }
            }
        }
        try (var packs = Files.list(stick.packs())) {
            for (Path pack : packs.toList()) {
                String file = pack.getFileName().toString();
                String name = file.replaceFirst("\\.tar\\.gpg(\\.partial)?$", "");
                if (!name.equals(file) && BackupStick.PACK.matcher(name).matches() && !neededPacks.contains(name)) {
                    Files.deleteIfExists(pack);
                }
            }
        }
    }

    static LocalDate date(String id) {
        return LocalDate.parse(id.substring(0, 8), DateTimeFormatter.BASIC_ISO_DATE);
    }
}
