package org.mailkeep.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Signed-in admin browsers. A session is a random 256-bit id in an HttpOnly cookie plus a CSRF token the page
 * reads from the login answer and sends back in a header on every change (the synchronizer-token pattern
 * of OWASP's CSRF cheat sheet). Sessions live in memory only: a restart signs everybody out, which is the
 * safe side. An idle session ends after {@code mailkeep.admin.session-idle}.
 */
@ApplicationScoped
public class AdminSessions {

    public static final String COOKIE = "mailkeep_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final int MAX_SESSIONS = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Session(String id, String csrf, long lastSeenMillis) {
    }

    private final Duration idle;
    private final Clock clock;
    private final Map<String, Session> sessions = new LinkedHashMap<>();

    @Inject
    public AdminSessions(AdminConfig config) {
        this(config.sessionIdle(), Clock.systemUTC());
    }

    public AdminSessions(Duration idle, Clock clock) {
        this.idle = idle;
        this.clock = clock;
    }

    public Duration idle() {
        return idle;
    }

    public synchronized Session create() {
        expire();
        if (sessions.size() >= MAX_SESSIONS) {
            Iterator<String> oldest = sessions.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        Session session = new Session(randomToken(), randomToken(), clock.millis());
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session with this id, its idle timer restarted; empty when unknown or idle too long. */
    public synchronized Optional<Session> touch(String id) {
        if (id == null) {
            return Optional.empty();
        }
        expire();
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        Session touched = new Session(session.id(), session.csrf(), clock.millis());
        sessions.put(id, touched);
        return Optional.of(touched);
    }

    /** Constant-time CSRF comparison. */
    public static boolean csrfMatches(Session session, String presented) {
        return presented != null && MessageDigest.isEqual(session.csrf().getBytes(), presented.getBytes());
    }

    /** Ends every session but {@code keep} (a changed passphrase signs everybody else out). */
    public synchronized void endAllBut(String keep) {
        sessions.keySet().removeIf(id -> !id.equals(keep));
    }

    public synchronized void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private void expire() {
        long cutoff = clock.millis() - idle.toMillis();
        sessions.values().removeIf(s -> s.lastSeenMillis() < cutoff);
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
