package org.mailkeep.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.mailkeep.net.Cidr;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Brute-force protection for password logins (SMTP AUTH, IMAP LOGIN/AUTHENTICATE), fail2ban-like but inside the
 * appliance. Failures are counted per client network (IPv4 address, IPv6 /64), per (account, client network) pair and
 * per account; {@code auth-failures} of them within {@code auth-window} lock that network, pair or account out for
 * {@code lockout}, doubling with each further lockout up to {@code max-lockout}; a day without failures forgives past
 * lockouts. An account's own lockout does not apply to the networks it has logged in from before: a stranger failing
 * on purpose against a known mailbox locks out the stranger's network and other unknown ones (a guessing botnet),
 * never the owner at the office or at home (issue 15).
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
 * All three are cheap, thread-safe and in memory (bounded to 10,000 keys and 10,000 accounts' known networks, least
 * recently seen forgotten first, {@value #KNOWN_NETWORKS} networks per account); a restart forgets lockouts and known
 * networks. The username is compared case-insensitively.
 */
@ApplicationScoped
@io.quarkus.arc.Unremovable // for the SMTP and IMAP sessions; keeps LimitsConfig registered
public class AuthGuard {

    private static final Logger AUDIT = Logger.getLogger("org.mailkeep.audit");
    private static final Duration FORGIVE = Duration.ofDays(1);
    /** Networks remembered per account as having logged in (the most recent ones). */
    static final int KNOWN_NETWORKS = 16;

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

    /** Per account, the client networks it logged in from, most recent last. */
    private final Map<String, java.util.LinkedHashSet<String>> knownNetworks = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, java.util.LinkedHashSet<String>> eldest) {
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

    /**
     * Asks before verifying a password: refused while the client network or the (account, network) pair is locked out,
     * or the account is and this network has never logged in to it.
     */
    public synchronized Decision check(InetAddress ip, String account) {
        long now = clock.millis();
        for (String key : keys(ip, account, !known(ip, account))) {
            State s = states.get(key);
            if (s != null && s.lockedUntil > now) {
                return new Decision(false, Duration.ofMillis(s.lockedUntil - now), key + " locked out after repeated failed logins");
            }
        }
        return new Decision(true, Duration.ZERO, null);
    }

    /** Records a failed login; starts a lockout of the client network, the pair and/or the account when it is one too many. */
    public synchronized void failure(InetAddress ip, String account) {
        long now = clock.millis();
        for (String key : keys(ip, account, true)) {
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

    /**
     * Records a successful login: the failure counts of the client network and the pair start again (past lockouts
     * still count), and the network is known to the account from now on. The account's own count is left alone: it
     * counts the strangers' failures.
     */
    public synchronized void success(InetAddress ip, String account) {
        for (String key : keys(ip, account, false)) {
            State s = states.get(key);
            if (s != null) {
                s.failures.clear(key);
            }
        }
        java.util.LinkedHashSet<String> networks = knownNetworks.computeIfAbsent(accountKey(account), k -> new java.util.LinkedHashSet<>());
        String network = Cidr.client(ip).toString();
        networks.remove(network);
        networks.add(network);
        if (networks.size() > KNOWN_NETWORKS) {
            networks.remove(networks.iterator().next());
        }
    }

    private boolean known(InetAddress ip, String account) {
        java.util.LinkedHashSet<String> networks = knownNetworks.get(accountKey(account));
        return networks != null && networks.contains(Cidr.client(ip).toString());
    }

    private static String[] keys(InetAddress ip, String account, boolean withAccount) {
        String pair = accountKey(account) + " from " + Cidr.client(ip);
        return withAccount ? new String[] {clientKey(ip), pair, accountKey(account)} : new String[] {clientKey(ip), pair};
    }

    static String clientKey(InetAddress ip) {
        return "client " + Cidr.client(ip);
    }

    static String accountKey(String account) {
        return "account " + (account == null ? "" : account.toLowerCase(Locale.ROOT));
    }
}
