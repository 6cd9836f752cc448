package org.mailkeep.policy;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.checks.PolicyChain;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Messages per hour per authenticated user, so that a stolen password cannot turn the box into a spam cannon. Checked
 * at MAIL FROM (451 4.7.1 with the time to wait); a message counts when it is accepted at the end of DATA (this check
 * runs last, after every check that could still refuse it).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class SendLimitCheck implements InboundCheck {

    private static final long HOUR = Duration.ofHours(1).toMillis();

    private final Clock clock;
    private final int limit;
    private final RateCounter sent;

    @Inject
    public SendLimitCheck(LimitsConfig config) {
        this(Clock.systemUTC(), config.messagesPerHour());
    }

    public SendLimitCheck(Clock clock, int limit) {
        this.clock = clock;
        this.limit = limit;
        this.sent = new RateCounter(Math.max(1, limit), HOUR);
    }

    @Override
    public Verdict mailFrom(SmtpContext context) {
        String user = context.authenticatedUser();
        if (user == null || limit <= 0) {
            return Verdict.ACCEPT;
        }
        long now = clock.millis();
        String key = user.toLowerCase(Locale.ROOT);
        if (sent.count(key, now) >= limit) {
            long wait = Math.max(1, (sent.nextAllowed(key, now) - now) / 1000);
            return Verdict.tempfail("451", "4.7.1", "Sending limit of " + limit + " messages per hour reached, try again in " + wait + " seconds",
                    "send limit reached for " + user);
        }
        return Verdict.ACCEPT;
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        String user = context.authenticatedUser();
        if (user != null && limit > 0) {
            sent.record(user.toLowerCase(Locale.ROOT), clock.millis());
        }
        return Verdict.ACCEPT;
    }
}
