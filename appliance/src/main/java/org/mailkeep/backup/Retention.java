package org.mailkeep.backup;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which snapshots to keep: the newest of each of the last N days, N ISO weeks and N months (the
 * grandfather-father-son scheme of restic's and borg's {@code --keep-daily/--keep-weekly/--keep-monthly}).
 * The newest snapshot is always kept.
 */
final class Retention {

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

    static LocalDate date(String id) {
        return LocalDate.parse(id.substring(0, 8), DateTimeFormatter.BASIC_ISO_DATE);
    }
}
