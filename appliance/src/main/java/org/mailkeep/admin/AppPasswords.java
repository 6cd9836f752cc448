package org.mailkeep.admin;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.AccountCredentials;
import org.mailkeep.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-mailbox app passwords: a generated secret per device (phone, laptop), revocable one by one, that IMAP and
 * SMTP accept in place of the mailbox password ({@link org.mailkeep.store.Directory#authenticate}). Shown once,
 * stored as a hash. 20 characters of 31 give about 99 bits.
 */
@ApplicationScoped
public class AppPasswords implements AccountCredentials {

    public record AppPassword(long id, String label, long createdAt, Long lastUsedAt) {
    }

    public record Created(AppPassword appPassword, String secret) {
    }

    private final Database db;

    public AppPasswords(Database db) {
        this.db = db;
    }

    public Created create(long accountId, String label) {
        String secret = Secrets.random(5, 4);
        long now = System.currentTimeMillis();
        long id = db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO app_passwords(account_id, label, secret_hash, created_at) VALUES(?, ?, ?, ?)",
                    PreparedStatement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, accountId);
                ps.setString(2, label);
                ps.setString(3, Secrets.hash(secret));
                ps.setLong(4, now);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        return new Created(new AppPassword(id, label, now, null), secret);
    }

    public List<AppPassword> list(long accountId) {
        return db.read(c -> {
            List<AppPassword> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, label, created_at, last_used_at FROM app_passwords WHERE account_id = ? ORDER BY id")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long used = rs.getLong(4);
                        result.add(new AppPassword(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.wasNull() ? null : used));
                    }
                }
            }
            return result;
        });
    }

    /** Revokes one app password; false when the account has none with that id. */
    public boolean revoke(long accountId, long id) {
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM app_passwords WHERE account_id = ? AND id = ?")) {
                ps.setLong(1, accountId);
                ps.setLong(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean matches(long accountId, String secret) {
        if (secret == null || secret.isEmpty()) {
            return false;
        }
        String hash = Secrets.hash(secret);
        boolean found = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM app_passwords WHERE account_id = ? AND secret_hash = ?")) {
                ps.setLong(1, accountId);
                ps.setString(2, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
        if (found) {
            // a "last used" time is worth no fsync on every IMAP/SMTP login: a power cut may lose it (Database#write(Work, boolean))
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE app_passwords SET last_used_at = ? WHERE secret_hash = ?")) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, hash);
                    ps.executeUpdate();
                }
                return null;
            }, false);
        }
        return found;
    }
}
