package org.mailkeep.backup;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionTest {

    static String id(LocalDate day) {
        return day.toString().replace("-", "") + "T033000Z";
    }

    @Test
    void keepsSevenDailyFourWeeklyTwelveMonthly() {
        List<String> ids = new ArrayList<>();
        LocalDate today = LocalDate.of(2026, 11, 29);
        for (int i = 0; i < 500; i++) {
            ids.add(id(today.minusDays(i)));
        }
        Set<String> keep = Retention.keep(ids, 7, 4, 12);
        for (int i = 0; i < 7; i++) {
            assertThat(keep).contains(id(today.minusDays(i)));
        }
        // newest of each month for 12 months: 2026-11-29, 2026-10-31, ... 2025-12-31
        assertThat(keep).contains(id(LocalDate.of(2026, 10, 31)), id(LocalDate.of(2025, 12, 31)));
        assertThat(keep).doesNotContain(id(LocalDate.of(2025, 11, 30)), id(LocalDate.of(2026, 10, 30)));
        assertThat(keep.size()).isLessThanOrEqualTo(7 + 4 + 12);
    }

    @Test
    void alwaysKeepsTheNewest() {
        assertThat(Retention.keep(List.of("20260101T000000Z", "20260102T000000Z"), 0, 0, 0)).containsExactly("20260102T000000Z");
        assertThat(Retention.keep(List.of(), 7, 4, 12)).isEmpty();
    }
}
