package org.mailkeep.imap;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows and then locks out password guessing, per client IP and per account: each failure within the window
 * doubles the delay before the answer (from 250 ms up to 8 s), and {@code lockoutFailures} failures lock
 * the IP or the account out for the window, whatever password comes next.
 */
public final class LoginThrottle {

    static final long WINDOW_MILLIS = 15 * 60 * 1000L;
    static final long BASE_DELAY_MILLIS = 250;
    static final long MAX_DELAY_MILLIS = 8000;
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long first) {
    }

    private final int lockoutFailures;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(int lockoutFailures, Clock clock) {
        this.lockoutFailures = lockoutFailures;
        this.clock = clock;
    }

    /** Whether a login from {@code ip} for {@code account} is refused outright. */
    public boolean locked(String ip, String account) {
        return count("ip:" + ip) >= lockoutFailures || (account != null && count("account:" + account.toLowerCase()) >= lockoutFailures);
    }

    /** Records a failure; returns how long to wait before answering. */
    public long failed(String ip, String account) {
        if (failures.size() > MAX_TRACKED) {
            long now = clock.millis();
            failures.entrySet().removeIf(e -> now - e.getValue().first() > WINDOW_MILLIS);
        }
        int n = Math.max(bump("ip:" + ip), account == null ? 0 : bump("account:" + account.toLowerCase()));
        return Math.min(MAX_DELAY_MILLIS, BASE_DELAY_MILLIS << Math.min(n - 1, 10));
    }

    public void succeeded(String ip, String account) {
        failures.remove("ip:" + ip);
        failures.remove("account:" + account.toLowerCase());
    }

    private int count(String key) {
        Failures f = failures.get(key);
        return f == null || clock.millis() - f.first() > WINDOW_MILLIS ? 0 : f.count();
    }

    private int bump(String key) {
        long now = clock.millis();
        return failures.compute(key, (k, f) -> f == null || now - f.first() > WINDOW_MILLIS ? new Failures(1, now)
                : new Failures(f.count() + 1, f.first())).count();
    }
}
