package org.mailkeep.maillog;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/** The mail log's one table: a bounded record of accept/reject/delivery decisions (see {@link MailLog}). */
@ApplicationScoped
public class MailLogSchema implements Schema {

    @Override
    public String feature() {
        return "maillog";
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE mail_log (
                  id INTEGER PRIMARY KEY,
                  at INTEGER NOT NULL,
                  direction TEXT NOT NULL,
                  sender TEXT,
                  recipient TEXT,
                  result TEXT NOT NULL,
                  reason TEXT,
                  remote_ip TEXT,
                  remote_host TEXT);
                CREATE INDEX mail_log_at ON mail_log(at)
                """);
    }
}
