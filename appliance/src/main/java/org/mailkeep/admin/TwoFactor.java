package org.mailkeep.admin;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Database;
import org.mailkeep.store.Settings;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The admin's second factor: a TOTP secret (RFC 6238) in an authenticator app, and ten single-use recovery
 * codes for the day the phone is lost. Turning it on is two steps (a pending secret, then a code from the app
 * that proves the app has it), so a half-scanned QR code never locks the admin out.
 */
@ApplicationScoped
public class TwoFactor {

    static final int RECOVERY_CODES = 10;
    private static final String SECRET = "admin.totp-secret";
    private static final String PENDING = "admin.totp-pending";
    private static final String LAST_STEP = "admin.totp-last-step";

    public record Enrolment(String secret, String uri) {
    }

    private final Settings settings;
    private final Database db;
    private final Clock clock;

    @jakarta.inject.Inject
    public TwoFactor(Settings settings, Database db) {
        this(settings, db, Clock.systemUTC());
    }

    public TwoFactor(Settings settings, Database db, Clock clock) {
        this.settings = settings;
        this.db = db;
        this.clock = clock;
    }

    public boolean enabled() {
        return settings.get(SECRET).filter(s -> !s.isEmpty()).isPresent();
    }

    /** Starts enrolment: a new pending secret for the authenticator app. */
    public Enrolment begin(String hostname) {
        byte[] secret = Totp.newSecret();
        settings.put(PENDING, Totp.base32(secret));
        return new Enrolment(Totp.base32(secret), Totp.uri("MailKeep", "admin@" + hostname, secret));
    }

    /** Finishes enrolment when {@code code} comes from the pending secret; returns the recovery codes (shown once). */
    public Optional<List<String>> confirm(String code) {
        Optional<String> pending = settings.get(PENDING).filter(s -> !s.isEmpty());
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        long step = Totp.matchingStep(Totp.fromBase32(pending.get()), code, clock.millis() / 1000);
        if (step < 0) {
            return Optional.empty();
        }
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            codes.add(Secrets.random(3, 4));
        }
        long now = clock.millis();
        db.write(c -> {
            try (var st = c.createStatement()) {
                st.execute("DELETE FROM admin_recovery_codes");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO admin_recovery_codes(code_hash, created_at) VALUES(?, ?)")) {
                for (String rc : codes) {
                    ps.setString(1, Secrets.hash(rc));
                    ps.setLong(2, now);
                    ps.executeUpdate();
                }
            }
            return null;
        });
        settings.put(SECRET, pending.get());
        settings.put(PENDING, "");
        settings.put(LAST_STEP, Long.toString(step));
        return Optional.of(codes);
    }

    /** Checks a TOTP code (each time step is good once) or an unused recovery code (then spent). */
    public synchronized boolean verify(String code) {
        Optional<String> secret = settings.get(SECRET).filter(s -> !s.isEmpty());
        if (secret.isEmpty() || code == null) {
            return false;
        }
        long step = Totp.matchingStep(Totp.fromBase32(secret.get()), code, clock.millis() / 1000);
        long last = settings.get(LAST_STEP).map(Long::parseLong).orElse(-1L);
        if (step >= 0 && step > last) {
            settings.put(LAST_STEP, Long.toString(step));
            return true;
        }
        String hash = Secrets.hash(code);
        long now = clock.millis();
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE admin_recovery_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL")) {
                ps.setLong(1, now);
                ps.setString(2, hash);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Unused recovery codes left. */
    public int recoveryCodesLeft() {
        return db.read(c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM admin_recovery_codes WHERE used_at IS NULL")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    public void disable() {
        settings.put(SECRET, "");
        settings.put(PENDING, "");
        db.write(c -> {
            try (var st = c.createStatement()) {
                st.execute("DELETE FROM admin_recovery_codes");
            }
            return null;
        });
    }
}
