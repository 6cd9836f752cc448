package org.mailkeep.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.mailkeep.net.Cidr;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Brute-force protection for password logins (SMTP AUTH, IMAP LOGIN/AUTHENTICATE), fail2ban-like but inside the
 * appliance. Failures are counted per client (IPv4 address, IPv6 /64) and per account; {@code auth-failures} of them
 * within {@code auth-window} lock that client or account out for {@code lockout}, doubling with each further lockout
 * up to {@code max-lockout}; a day without failures forgives past lockouts.
 *
 * <h2>API for the SMTP and IMAP sessions</h2>
 * <pre>
 *   AuthGuard.Decision d = authGuard.check(remoteIp, username);   // before verifying the password
 *   if (!d.allowed()) {
 *       // do NOT verify the password; answer without saying whether it would have been right:
 *       //   SMTP: "454 4.7.0 Too many failed logins, try again in " + d.retryAfter().toSeconds() + " seconds"
 *       //   IMAP: "NO [UNAVAILABLE] Too many failed logins, try again later"
 *   } else if (passwordOk) {
 *       authGuard.success(remoteIp, username);                   // clears the failure counts of both
 *   } else {
 *       authGuard.failure(remoteIp, username);                   // counts; may start a lockout
 *       //   SMTP: "535 5.7.8 Authentication credentials invalid"; IMAP: "NO [AUTHENTICATIONFAILED]"
 *   }
 * </pre>
 * All three are cheap, thread-safe and in memory (bounded to 10,000 clients and accounts, least recently seen
 * forgotten first); a restart forgets lockouts. The username is compared case-insensitively.
 */
@ApplicationScoped
@io.quarkus.arc.Unremovable // for the SMTP and IMAP sessions; keeps LimitsConfig registered
public class AuthGuard {

    private static final Logger AUDIT = Logger.getLogger("org.mailkeep.audit");
    private static final Duration FORGIVE = Duration.ofDays(1);

    /** Whether a login attempt may proceed; when not, how long until it may. */
    public record Decision(boolean allowed, Duration retryAfter, String reason) {
    }

    private static final class State {
        final RateCounter failures;
        int lockouts;
        long lockedUntil;
        long lastFailure;

        State(int limit, long window) {
            failures = new RateCounter(limit, window);
        }
    }

    private final Clock clock;
    private final int maxFailures;
    private final Duration window;
    private final Duration lockout;
    private final Duration maxLockout;
    private final Map<String, State> states = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
            return size() > RateCounter.MAX_KEYS;
        }
    };

    @Inject
    public AuthGuard(LimitsConfig config) {
        this(Clock.systemUTC(), config.authFailures(), config.authWindow(), config.lockout(), config.maxLockout());
    }

    public AuthGuard(Clock clock, int maxFailures, Duration window, Duration lockout, Duration maxLockout) {
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.window = window;
        this.lockout = lockout;
        this.maxLockout = maxLockout;
    }

    /** Asks before verifying a password: refused while the client or the account is locked out. */
    public synchronized Decision check(InetAddress ip, String account) {
        long now = clock.millis();
        for (String key : new String[] {clientKey(ip), accountKey(account)}) {
            State s = states.get(key);
            if (s != null && s.lockedUntil > now) {
                return new Decision(false, Duration.ofMillis(s.lockedUntil - now), key + " locked out after repeated failed logins");
            }
        }
        return new Decision(true, Duration.ZERO, null);
    }

    /** Records a failed login; starts a lockout of the client and/or account when it is one too many. */
    public synchronized void failure(InetAddress ip, String account) {
        long now = clock.millis();
        for (String key : new String[] {clientKey(ip), accountKey(account)}) {
            State s = states.computeIfAbsent(key, k -> new State(maxFailures, window.toMillis()));
            if (now - s.lastFailure > FORGIVE.toMillis()) {
                s.lockouts = 0;
            }
            s.lastFailure = now;
            s.failures.record(key, now);
            if (s.failures.count(key, now) >= maxFailures) {
                long length = Math.min(maxLockout.toMillis(), lockout.toMillis() << Math.min(30, s.lockouts));
                s.lockouts++;
                s.lockedUntil = now + length;
                s.failures.clear(key);
                AUDIT.infof("auth: %s locked out for %d s after %d failed logins (lockout #%d)", key, length / 1000, maxFailures, s.lockouts);
            }
        }
    }

    /** Records a successful login: the failure counts of client and account start again (past lockouts still count). */
    public synchronized void success(InetAddress ip, String account) {
        for (String key : new String[] {clientKey(ip), accountKey(account)}) {
            State s = states.get(key);
            if (s != null) {
                s.failures.clear(key);
            }
        }
    }

    static String clientKey(InetAddress ip) {
        return "client " + (ip instanceof Inet4Address ? ip.getHostAddress() : Cidr.of(ip, 64).toString());
    }

    static String accountKey(String account) {
        return "account " + (account == null ? "" : account.toLowerCase(Locale.ROOT));
    }
}
