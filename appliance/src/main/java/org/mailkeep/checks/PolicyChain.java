package org.mailkeep.checks;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.mailkeep.policy.AccessListCheck;
import org.mailkeep.policy.AntiSpoofCheck;
import org.mailkeep.policy.AuthServId;
import org.mailkeep.policy.ConnectionRateCheck;
import org.mailkeep.policy.GreylistCheck;
import org.mailkeep.policy.HeaderHeuristicsCheck;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.PolicyMetrics;
import org.mailkeep.policy.SendLimitCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.SpamScoreCheck;
import org.mailkeep.policy.Verdict;
import org.mailkeep.sender.SenderIdentityCheck;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs every {@link InboundCheck} for a stage, in the one order of {@link #ORDER}. The first reject or temporary
 * failure ends the stage; otherwise the headers, scores and Junk routing of all checks add up. At the end of DATA the
 * chain itself writes Authentication-Results from the typed results the checks left in the {@link SmtpContext}
 * ({@link AuthenticationResults}). Every non-trivial decision is logged.
 */
@ApplicationScoped
public class PolicyChain {

    private static final Logger AUDIT = Logger.getLogger("org.mailkeep.audit");

    /**
     * The order in which the checks run: cheap local checks first, network and content checks later, and every check
     * after the checks whose results it reads. A new {@link InboundCheck} bean must be placed here.
     */
    static final List<Class<? extends InboundCheck>> ORDER = List.of(
            ConnectionRateCheck.class,
            SenderIdentityCheck.class,  // submission only: the sender identities of the authenticated account
            SpfCheck.class,             // before the allow lists, which believe an allow-listed sender only with an SPF pass
            AccessListCheck.class,
            DnsblCheck.class,           // after the owner's allow/block lists: an allow-listed IP is not looked up
            GreylistCheck.class,        // reads the allow lists' trust and SPF's result
            AttachmentCheck.class,
            AntivirusCheck.class,
            DkimCheck.class,
            DmarcCheck.class,           // reads SPF's and DKIM's results
            AntiSpoofCheck.class,       // reads SPF's and DMARC's results
            HeaderHeuristicsCheck.class,
            SpamScoreCheck.class,       // adds up the points of every check before it
            SendLimitCheck.class);      // counts only what every other check accepted

    private final List<InboundCheck> checks;
    private final AuthenticationResults authenticationResults;

    @Inject
    public PolicyChain(Instance<InboundCheck> checks, AuthServId authServId) {
        this(inOrder(checks.stream().toList()), authServId::get);
    }

    /**
     * A chain of exactly these checks, run in the order given; {@code authServId} names us in Authentication-Results,
     * null leaves that header out (tests of the SMTP session alone).
     */
    public PolicyChain(List<InboundCheck> checks, Supplier<String> authServId) {
        this.checks = List.copyOf(checks);
        this.authenticationResults = authServId == null ? null : new AuthenticationResults(authServId);
    }

    /** The checks sorted by {@link #ORDER}; a check missing there is a programming error, found at start-up. */
    static List<InboundCheck> inOrder(List<InboundCheck> checks) {
        List<InboundCheck> ordered = new ArrayList<>(checks);
        ordered.sort(Comparator.comparingInt(PolicyChain::position));
        return ordered;
    }

    private static int position(InboundCheck check) {
        for (int i = 0; i < ORDER.size(); i++) {
            if (ORDER.get(i).isInstance(check)) {
                return i;
            }
        }
        throw new IllegalStateException(check.getClass().getName() + " is not in PolicyChain.ORDER");
    }

    public Verdict connect(SmtpContext context) {
        return run(context, "connect", c -> c.connect(context), null);
    }

    public Verdict mailFrom(SmtpContext context) {
        return run(context, "mail", c -> c.mailFrom(context), null);
    }

    public Verdict rcptTo(SmtpContext context, String recipient) {
        return run(context, "rcpt " + recipient, c -> c.rcptTo(context, recipient), null);
    }

    /** The checks of DATA, then, when all accepted, Authentication-Results (its fields above the checks' fields). */
    public Verdict data(SmtpContext context, Path message) {
        return run(context, "data", c -> c.data(context, message),
                authenticationResults == null ? null : () -> authenticationResults.stamp(context, message));
    }

    private Verdict run(SmtpContext context, String stage, Function<InboundCheck, Verdict> stageOf, Supplier<Verdict> closing) {
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
        if (closing != null) {
            Verdict closed = closing.get();
            headers.addAll(0, closed.headers());
            if (closed.reason() != null) {
                reasons.add(closed.reason());
            }
        }
        if (!reasons.isEmpty()) {
            AUDIT.infof("session=%s ip=%s stage=%s accepted: %s", context.sessionId(), context.remoteAddress().getHostAddress(), stage,
                    String.join("; ", reasons));
        }
        return new Verdict(Verdict.Action.ACCEPT, null, null, null, List.copyOf(headers), score, junk,
                reasons.isEmpty() ? null : String.join("; ", reasons));
    }
}
