package org.mailkeep.policy;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.checks.PolicyChain;

import java.time.Clock;
import java.time.Duration;

/**
 * New connections per minute per client (IPv4 address, IPv6 /64), on every listener: over the limit the client gets
 * 421 4.7.0 and is disconnected (RFC 5321 §3.8). Loopback is exempt: local programs (monitoring, the tests) are ours.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class ConnectionRateCheck implements InboundCheck {

    private final Clock clock;
    private final int limit;
    private final RateCounter connections;

    @Inject
    public ConnectionRateCheck(LimitsConfig config) {
        this(Clock.systemUTC(), config.connectionsPerMinute());
    }

    public ConnectionRateCheck(Clock clock, int limit) {
        this.clock = clock;
        this.limit = limit;
        this.connections = new RateCounter(Math.max(1, limit), Duration.ofMinutes(1).toMillis());
    }

    @Override
    public Verdict connect(SmtpContext context) {
        if (limit <= 0 || context.remoteAddress().isLoopbackAddress()) {
            return Verdict.ACCEPT;
        }
        String key = AuthGuard.clientKey(context.remoteAddress());
        if (!connections.tryAcquire(key, clock.millis())) {
            return Verdict.tempfail("421", "4.7.0", "Too many connections from your address, try again later",
                    key + " over " + limit + " connections per minute");
        }
        return Verdict.ACCEPT;
    }
}
