package org.mailkeep.policy;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.checks.PolicyChain;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns the {@link SpamSignals} ledger into X-Spam-Score / X-Spam-Status (SpamAssassin's format, which clients and
 * Sieve scripts know), routes mail at or above {@code junk-score} to Junk and rejects mail at or above
 * {@code reject-score} with 550 5.7.1. Trusted senders (allow lists, DNS allowlists) are not scored.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class SpamScoreCheck implements InboundCheck {

    private final double junkScore;
    private final double rejectScore;

    @Inject
    public SpamScoreCheck(SpamConfig config) {
        this(config.junkScore(), config.rejectScore());
    }

    public SpamScoreCheck(double junkScore, double rejectScore) {
        this.junkScore = junkScore;
        this.rejectScore = rejectScore;
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        if (context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        String trusted = Trust.trusted(context);
        if (trusted != null) {
            return Verdict.tag(List.of("X-Spam-Status: No, score=0.0 trusted=" + trusted.replace(' ', '_')), 0, false, "not scored: " + trusted);
        }
        List<SpamSignals.Signal> signals = SpamSignals.all(context);
        double score = signals.stream().mapToDouble(SpamSignals.Signal::points).sum();
        String tests = signals.isEmpty() ? "none" : signals.stream().map(SpamSignals.Signal::rule).distinct().collect(Collectors.joining(","));
        String total = String.format(Locale.ROOT, "%.1f", score);
        if (score >= rejectScore) {
            return Verdict.reject("550", "5.7.1", "Message refused as spam (score " + total + ")", "spam score " + total + " tests=" + tests);
        }
        boolean junk = score >= junkScore;
        return Verdict.tag(List.of("X-Spam-Score: " + total,
                String.format(Locale.ROOT, "X-Spam-Status: %s, score=%s required=%.1f tests=%s", junk ? "Yes" : "No", total, junkScore, tests)),
                0, junk, "spam score " + total + " tests=" + tests + (junk ? " -> Junk" : ""));
    }
}
