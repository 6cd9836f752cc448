package org.mailkeep.maillog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.StoreSchema;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MailLogTest {

    @Test
    void keepsTheNewestRowsWithinTheAgeLimitNewestFirst(@TempDir Path dir) {
        Database db = new Database(new DataDirectory(dir), List.of(new StoreSchema(), new MailLogSchema()), Integer.MAX_VALUE);
        MailLog log = new MailLog(db);
        Instant now = Instant.now();
        log.record(new MailEvent(now.minus(MailLog.MAX_AGE).minus(Duration.ofHours(1)), MailEvent.Direction.IN, "old@example.net",
                "a@example.test", MailEvent.Result.ACCEPTED, null, "192.0.2.1", "old.example.net"));
        log.flush();
        assertThat(log.recent(10, null)).isEmpty(); // older than 30 days: pruned by the flush that wrote it
        for (int i = 0; i < MailLog.MAX_ROWS + 5; i++) {
            log.record(MailEvent.now(i % 2 == 0 ? MailEvent.Direction.IN : MailEvent.Direction.OUT, "s" + i + "@example.net",
                    "r@example.test", MailEvent.Result.DELIVERED, "250 ok", null, "mx.example.net"));
            if (i % 1000 == 999) {
                log.flush(); // as the scheduler would, once a second
            }
        }
        List<MailEvent> newest = log.recent(3, MailEvent.Direction.OUT);
        assertThat(newest).extracting(MailEvent::from).containsExactly("s10003@example.net", "s10001@example.net", "s9999@example.net");
        int rows = db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM mail_log")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isEqualTo(MailLog.MAX_ROWS);
        db.close();
    }
}
