package org.mailkeep.queue;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * {@code mailkeep.outbound.*}: outbound delivery (docs/interface.md). Durations take Quarkus' forms
 * ("30s", "5m", "4h", "5d" or ISO-8601); the timing keys exist so tests run a lifetime in seconds.
 */
@ConfigMapping(prefix = "mailkeep.outbound")
public interface OutboundConfig {

    /** Port of remote MXs (25; tests point it at a Postfix peer). */
    @WithDefault("25")
    int port();

    /** First retry delay after a temporary failure; doubles per attempt (exponential backoff). */
    @WithDefault("5m")
    Duration retryInitial();

    /** Longest delay between two attempts. */
    @WithDefault("1h")
    Duration retryMax();

    /** How long a message is retried before it bounces (RFC 5321 §4.5.4.1: at least 4-5 days). */
    @WithDefault("5d")
    Duration lifetime();

    /** After this long undelivered, the sender gets one "delayed" DSN (RFC 3464 Action: delayed). */
    @WithDefault("4h")
    Duration delayNotice();

    /** How often the queue looks for due recipients (new mail wakes it at once). */
    @WithDefault("15s")
    Duration pollInterval();

    /** TCP connect timeout per MX address; a timeout counts as "port 25 unreachable" evidence. */
    @WithDefault("30s")
    Duration connectTimeout();

    /** Simultaneous connections per destination domain. */
    @WithDefault("2")
    int domainConcurrency();

    /** Delivery threads (a Pi has 4 cores and little memory: attempts block on the network, not the CPU). */
    @WithDefault("4")
    int workers();

    /** More Received fields than this means a mail loop: bounce (RFC 5321 §6.3). */
    @WithDefault("50")
    int maxReceived();

    /** In fallback mode, after a trigger, how long mail goes straight to the relay before direct delivery is tried again. */
    @WithDefault("1h")
    Duration fallbackProbe();

    // RFC 5321 §4.5.3.2: how long to wait for each reply; the defaults are the RFC's minimums (tests shorten them).

    /** Initial 220 greeting. */
    @WithDefault("5m")
    Duration greetingTimeout();

    /** Reply to MAIL (also EHLO, STARTTLS, AUTH). */
    @WithDefault("5m")
    Duration mailTimeout();

    /** Reply to each RCPT. */
    @WithDefault("5m")
    Duration rcptTimeout();

    /** The 354 to DATA. */
    @WithDefault("2m")
    Duration dataInitTimeout();

    /** Each write of the message data (TCP send blocked this long fails the attempt). */
    @WithDefault("3m")
    Duration dataBlockTimeout();

    /** The reply to the final dot. */
    @WithDefault("10m")
    Duration dataEndTimeout();
}
