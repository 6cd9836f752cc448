package org.mailkeep.audit;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Schema;

import java.util.List;

/** The admin audit log's table ({@link AuditLog}). */
@ApplicationScoped
public class AuditSchema implements Schema {

    @Override
    public String feature() {
        return "audit";
    }

    @Override
    public List<String> migrations() {
        return List.of(
                // v1
                """
                CREATE TABLE audit_log (
                  id INTEGER PRIMARY KEY,
                  at INTEGER NOT NULL,
                  actor TEXT NOT NULL,
                  remote_ip TEXT,
                  method TEXT NOT NULL,
                  path TEXT NOT NULL,
                  status INTEGER NOT NULL,
                  summary TEXT)
                """);
    }
}
