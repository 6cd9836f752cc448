package org.mailkeep.smtp;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Limits and timeouts of the SMTP listeners ({@code mailkeep.smtp-limits.*}, documented in docs/interface.md). */
@ConfigMapping(prefix = "mailkeep.smtp-limits")
public interface SmtpLimits {

    /** Largest message accepted, in octets, announced with SIZE (RFC 1870). */
    @WithDefault("52428800")
    long maxMessageSize();

    /** Recipients per message; more get 452 4.5.3 (RFC 5321 §4.5.3.1.8 requires at least 100). */
    @WithDefault("100")
    int maxRecipients();

    /** Simultaneous sessions over all listeners; more get 421 4.7.0. */
    @WithDefault("100")
    int maxConnections();

    /** Simultaneous sessions from one IP address. */
    @WithDefault("10")
    int maxConnectionsPerIp();

    /** How long the MX listener waits before its greeting; a client that talks first is an early talker (RFC 5321 §4.3.1). */
    @WithDefault("1s")
    Duration greetingDelay();

    /** Waiting for a command (RFC 5321 §4.5.3.2.7: at least 5 minutes). */
    @WithDefault("5m")
    Duration commandTimeout();

    /** Waiting for the next block of message text (RFC 5321 §4.5.3.2.5). */
    @WithDefault("3m")
    Duration dataBlockTimeout();

    /** Longest time we take to answer the final "." (the client waits 10 minutes, RFC 5321 §4.5.3.2.6); beyond it we answer 451. */
    @WithDefault("10m")
    Duration dataTerminationTimeout();

    /** Delay before answering a failed AUTH (slows password guessing). */
    @WithDefault("2s")
    Duration authFailureDelay();

    /** Failed AUTH attempts before the session is closed. */
    @WithDefault("3")
    int maxAuthFailures();

    /**
     * Unrecognized commands, bad command lines (too long, NUL) and junk commands (NOOP, VRFY, HELP) one session may
     * send before it is closed with 421 4.7.0; a delivered message starts the count again (as Postfix's
     * smtpd_junk_command_limit and smtpd_hard_error_limit, RFC 5321 §4.5.3.1 leaves such limits to the server).
     */
    @WithDefault("50")
    int maxJunkCommands();

    /** Longest session, whatever it does; then 421 4.4.2 and close (no RFC bound: it keeps a slot from being held for ever). */
    @WithDefault("1h")
    Duration maxSessionLength();
}
