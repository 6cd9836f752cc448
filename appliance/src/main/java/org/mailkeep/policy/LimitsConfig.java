package org.mailkeep.policy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/** {@code mailkeep.limits.*}: rate limits and the AUTH brute-force lockout. */
@ConfigMapping(prefix = "mailkeep.limits")
public interface LimitsConfig {

    /** New connections per minute from one client IPv4 address or IPv6 /64 (loopback is exempt). 0 = unlimited. */
    @WithName("connections-per-minute")
    @WithDefault("30")
    int connectionsPerMinute();

    /** Messages per hour one authenticated user may submit. 0 = unlimited. */
    @WithName("messages-per-hour")
    @WithDefault("100")
    int messagesPerHour();

    /** Failed AUTH attempts (per client IP and per account) within {@link #authWindow()} that trigger a lockout. */
    @WithName("auth-failures")
    @WithDefault("5")
    int authFailures();

    @WithName("auth-window")
    @WithDefault("15m")
    Duration authWindow();

    /** The first lockout; each further lockout within a day doubles it. */
    @WithDefault("1m")
    Duration lockout();

    @WithName("max-lockout")
    @WithDefault("24h")
    Duration maxLockout();
}
