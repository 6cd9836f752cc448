package org.mailkeep.health;

import org.junit.jupiter.api.Test;
import org.mailkeep.hardware.Activity;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ActivitiesTest {

    private final Activities activities = new Activities();

    @Test
    void aPulseShowsForAWhileAndTellsTheListenersWhenItEnds() {
        AtomicInteger changes = new AtomicInteger();
        activities.onChange(changes::incrementAndGet);
        activities.pulse(Activities.MAIL_IN);
        activities.pulse(Activities.MAIL_IN); // a burst is one change
        assertThat(activities.current()).containsExactly(Activity.MAIL_IN);
        assertThat(changes).hasValue(1);
        await().atMost(Duration.ofSeconds(4)).until(() -> activities.current().isEmpty() && changes.get() == 2);
    }

    @Test
    void beginAndEndNest() {
        activities.begin(Activities.BACKUP_RUNNING);
        activities.begin(Activities.BACKUP_RUNNING);
        activities.end(Activities.BACKUP_RUNNING);
        assertThat(activities.current()).containsExactly(Activity.BACKUP_RUNNING);
        activities.end(Activities.BACKUP_RUNNING);
        assertThat(activities.current()).isEmpty();
        activities.end(Activities.BACKUP_RUNNING); // one end too many is harmless
        assertThat(activities.current()).isEmpty();
    }

    @Test
    void unknownActivitiesAreRefused() {
        assertThatThrownBy(() -> activities.pulse("mail_in")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mail-in");
    }
}
