package org.mailkeep.admin;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bearer API tokens for scripts (RFC 6750 §2.1 {@code Authorization: Bearer}): made by the signed-in admin, so
 * they work with 2FA on; shown once, stored as SHA-256 (a random secret of about 149 bits: a slow hash adds
 * nothing), revocable one by one.
 */
@ApplicationScoped
public class ApiTokens {

    public record Token(long id, String name, long createdAt, Long lastUsedAt) {
    }

    public record Created(Token token, String secret) {
    }

    private final Database db;

    public ApiTokens(Database db) {
        this.db = db;
    }

    public Created create(String name) {
        String secret = "mk-" + Secrets.random(6, 5);
        long now = System.currentTimeMillis();
        long id = db.write(c -> {
            try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM api_tokens WHERE name = ?")) {
                check.setString(1, name);
                try (ResultSet rs = check.executeQuery()) {
                    if (rs.next()) {
                        throw new ConflictException("a token named " + name + " exists already");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_tokens(name, token_hash, created_at) VALUES(?, ?, ?)",
                    PreparedStatement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setString(2, Secrets.hash(secret));
                ps.setLong(3, now);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        return new Created(new Token(id, name, now, null), secret);
    }

    public List<Token> list() {
        return db.read(c -> {
            List<Token> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, created_at, last_used_at FROM api_tokens ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long used = rs.getLong(4);
                    result.add(new Token(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.wasNull() ? null : used));
                }
            }
            return result;
        });
    }

    public boolean delete(long id) {
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM api_tokens WHERE id = ?")) {
                ps.setLong(1, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The name of the token {@code secret} is, noting its use; empty when it is none. */
    public Optional<String> authenticate(String secret) {
        if (secret == null || secret.isBlank()) {
            return Optional.empty();
        }
        String hash = Secrets.hash(secret.trim());
        Optional<String> name = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM api_tokens WHERE token_hash = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
        // a "last used" time is worth no fsync on every API call: a power cut may lose it (Database#write(Work, boolean))
        name.ifPresent(n -> db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?")) {
                ps.setLong(1, System.currentTimeMillis());
                ps.setString(2, hash);
                return ps.executeUpdate();
            }
        }, false));
        return name;
    }
}
