package org.mailkeep.audit;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.mailkeep.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Who changed what through the API, and every admin login attempt: one row per call, written by {@link AuditFilter}
 * (never a request body or a secret). Also logged to the {@code org.mailkeep.audit} category. The newest
 * {@link #MAX_ROWS} rows are kept; each insert drops older ones by primary key.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger AUDIT = Logger.getLogger("org.mailkeep.audit");
    static final int MAX_ROWS = 10_000;

    public record Entry(String at, String actor, String remoteIp, String method, String path, int status, String summary) {
    }

    private final Database db;

    public AuditLog(Database db) {
        this.db = db;
    }

    public void record(String actor, String remoteIp, String method, String path, int status, String summary) {
        AUDIT.infof("api: %s from %s %s %s -> %d (%s)", actor, remoteIp, method, path, status, summary);
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO audit_log(at, actor, remote_ip, method, path, status, summary) VALUES(?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, System.currentTimeMillis());
                ps.setString(2, actor);
                ps.setString(3, remoteIp);
                ps.setString(4, method);
                ps.setString(5, path);
                ps.setInt(6, status);
                ps.setString(7, summary);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_log WHERE id <= last_insert_rowid() - ?")) {
                ps.setInt(1, MAX_ROWS);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The newest {@code limit} entries, newest first. */
    public List<Entry> recent(int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT at, actor, remote_ip, method, path, status, summary FROM audit_log ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                List<Entry> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new Entry(Instant.ofEpochMilli(rs.getLong(1)).toString(), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getInt(6), rs.getString(7)));
                    }
                }
                return result;
            }
        });
    }
}
