package org.mailkeep.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.net.Cidr;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password and setup-token guessing: a client (by IPv4 address or IPv6 /64, {@link Cidr#client}) that failed {@code maxFailures} times
 * within {@code window} is refused until the oldest of those failures leaves the window. Memory is bounded:
 * the least recently seen clients are forgotten first.
 */
@ApplicationScoped
public class LoginThrottle {

    static final int MAX_CLIENTS = 1024;

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Long>> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    @Inject
    public LoginThrottle(AdminConfig config) {
        this(config.loginFailures(), config.loginWindow(), Clock.systemUTC());
    }

    public LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** Seconds {@code client} must still wait before another attempt; 0 when it may try now. */
    public synchronized long retryAfterSeconds(String client) {
        Deque<Long> times = failures.get(network(client));
        if (times == null) {
            return 0;
        }
        long now = clock.millis();
        while (!times.isEmpty() && times.peekFirst() <= now - window.toMillis()) {
            times.pollFirst();
        }
        if (times.size() < maxFailures) {
            return 0;
        }
        return Math.max(1, (times.peekFirst() + window.toMillis() - now + 999) / 1000);
    }

    public synchronized void failed(String client) {
        Deque<Long> times = failures.computeIfAbsent(network(client), k -> new ArrayDeque<>());
        times.addLast(clock.millis());
        while (times.size() > maxFailures) {
            times.pollFirst();
        }
    }

    public synchronized void succeeded(String client) {
        failures.remove(network(client));
    }

    /** The key a client address is counted by: an IPv6 client rotating inside its /64 is one client. */
    static String network(String client) {
        return Cidr.literal(client).map(ip -> Cidr.client(ip).toString()).orElse(client);
    }
}
