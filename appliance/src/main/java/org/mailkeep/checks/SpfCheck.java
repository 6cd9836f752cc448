package org.mailkeep.checks;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.dns.Resolver;
import org.mailkeep.policy.AuthServId;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.SpamSignals;
import org.mailkeep.policy.Verdict;
import org.mailkeep.spf.SpfEvaluator;
import org.mailkeep.spf.SpfOutcome;

import java.util.function.Supplier;

/**
 * SPF at MAIL FROM for mail from outside (the MX listener). The result is left in the context ({@link SmtpContext#spf()}) for DMARC, the
 * anti-spoofing rule and Authentication-Results; it adds to the spam score but never rejects by itself: DMARC
 * decides, because a DKIM-aligned message that was forwarded legitimately fails SPF (RFC 7489 §10.1, RFC 7208 §8.4
 * leaves the action to local policy).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class SpfCheck implements InboundCheck {

    private final Resolver resolver;
    private final Supplier<String> receiver;

    @Inject
    public SpfCheck(Resolver resolver, AuthServId authServId) {
        this(resolver, authServId::get);
    }

    public SpfCheck(Resolver resolver, Supplier<String> receiver) {
        this.resolver = resolver;
        this.receiver = receiver;
    }

    @Override
    public Verdict mailFrom(SmtpContext context) {
        if (context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        SpfOutcome outcome = new SpfEvaluator(resolver, receiver.get())
                .checkMailFrom(context.remoteAddress(), context.envelopeFrom(), context.heloName());
        context.spf(outcome);
        String detail = "spf=" + outcome.result().keyword() + " " + outcome.domain() + ": " + outcome.explanation();
        return switch (outcome.result()) {
            case FAIL -> SpamSignals.score(context, "SPF_FAIL", 3.0, detail);
            case SOFTFAIL -> SpamSignals.score(context, "SPF_SOFTFAIL", 1.5, detail);
            case PERMERROR -> SpamSignals.score(context, "SPF_PERMERROR", 1.0, detail);
            case NONE -> SpamSignals.score(context, "SPF_NONE", 0.5, detail);
            default -> Verdict.tag(java.util.List.of(), 0, false, detail);
        };
    }
}
