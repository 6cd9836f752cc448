package org.mailkeep.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Runs every {@link InboundCheck} for a stage. The first reject or temporary failure ends the stage;
 * otherwise the headers, scores and Junk routing of all checks add up. Every non-trivial decision is logged.
 */
@ApplicationScoped
public class PolicyChain {

    private static final Logger AUDIT = Logger.getLogger("org.mailkeep.audit");

    private final List<InboundCheck> checks;

    @jakarta.inject.Inject
    public PolicyChain(Instance<InboundCheck> checks) {
        this(checks.stream().toList());
    }

    public PolicyChain(List<InboundCheck> checks) {
        List<InboundCheck> ordered = new ArrayList<>(checks);
        ordered.sort(Comparator.comparingInt(InboundCheck::order).thenComparing(c -> c.getClass().getName()));
        this.checks = List.copyOf(ordered);
    }

    public Verdict connect(SmtpContext context) {
        return run(context, "connect", c -> c.connect(context));
    }

    public Verdict mailFrom(SmtpContext context) {
        return run(context, "mail", c -> c.mailFrom(context));
    }

    public Verdict rcptTo(SmtpContext context, String recipient) {
        return run(context, "rcpt " + recipient, c -> c.rcptTo(context, recipient));
    }

    public Verdict data(SmtpContext context, Path message) {
        return run(context, "data", c -> c.data(context, message));
    }

    private Verdict run(SmtpContext context, String stage, Function<InboundCheck, Verdict> stageOf) {
        List<String> headers = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        double score = 0;
        boolean junk = false;
        for (InboundCheck check : checks) {
            Verdict verdict = stageOf.apply(check);
            PolicyMetrics.decision(check, verdict);
            if (verdict.reason() != null) {
                reasons.add(verdict.reason());
            }
            if (!verdict.accepted()) {
                AUDIT.infof("session=%s ip=%s stage=%s %s by %s: %s", context.sessionId(), context.remoteAddress().getHostAddress(), stage,
                        verdict.action(), check.getClass().getSimpleName(), verdict.reason());
                return verdict;
            }
            headers.addAll(verdict.headers());
            score += verdict.score();
            junk |= verdict.junk();
        }
        if (!reasons.isEmpty()) {
            AUDIT.infof("session=%s ip=%s stage=%s accepted: %s", context.sessionId(), context.remoteAddress().getHostAddress(), stage,
                    String.join("; ", reasons));
        }
        return new Verdict(Verdict.Action.ACCEPT, null, null, null, List.copyOf(headers), score, junk,
                reasons.isEmpty() ? null : String.join("; ", reasons));
    }
}
