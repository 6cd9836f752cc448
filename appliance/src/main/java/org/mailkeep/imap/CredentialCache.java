package org.mailkeep.imap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers recently verified logins for a short time, like Dovecot's auth cache: mail clients log in again
 * and again (Thunderbird opens several connections, phones reconnect on every wake-up), and an Argon2id
 * verification each time would cost the Pi a lot of CPU and memory. Only a salted SHA-256 of the password is
 * kept (the salt is random per process), never the password; entries expire after {@code ttlMillis}, so a
 * changed password stops the old one from working within that time.
 */
final class CredentialCache {

    private static final int MAX_ENTRIES = 10_000;

    private record Entry(byte[] digest, long expires) {
    }

    private final byte[] salt = new byte[32];
    private final long ttlMillis;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    CredentialCache(long ttlMillis, Clock clock) {
        this.ttlMillis = ttlMillis;
        this.clock = clock;
        new SecureRandom().nextBytes(salt);
    }

    private final Object[] stripes = new Object[64];

    {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * A lock to verify {@code user}'s password under: clients log in on several connections at once, and the first
     * verification fills the cache for the others instead of each running its own Argon2id.
     */
    Object lockFor(String user) {
        return stripes[Math.floorMod(user.toLowerCase().hashCode(), stripes.length)];
    }

    /** Whether {@code password} was verified for {@code user} within the TTL. */
    boolean verified(String user, String password) {
        Entry entry = entries.get(user.toLowerCase());
        return entry != null && entry.expires() > clock.millis() && MessageDigest.isEqual(entry.digest(), digest(password));
    }

    void remember(String user, String password) {
        if (entries.size() >= MAX_ENTRIES) {
            long now = clock.millis();
            entries.values().removeIf(e -> e.expires() <= now);
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
        }
        entries.put(user.toLowerCase(), new Entry(digest(password), clock.millis() + ttlMillis));
    }

    void forget(String user) {
        entries.remove(user.toLowerCase());
    }

    private byte[] digest(String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
