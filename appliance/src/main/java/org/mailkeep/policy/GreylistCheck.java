package org.mailkeep.policy;

import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.spf.SpfOutcome;
import org.mailkeep.spf.SpfResult;
import org.mailkeep.checks.PolicyChain;

import java.util.List;
import java.util.Optional;

/**
 * Greylisting at RCPT TO for mail from outside. Skipped for authenticated sessions, trusted connections
 * (allow-listed IP, DNS allowlist) and for senders on the global or recipient's allow list whose SPF passes (an
 * allow-listed domain is only believed when SPF proves the sender; a DKIM pass is known only after DATA, too late to
 * skip a deferral at RCPT).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class GreylistCheck implements InboundCheck {

    private final Greylist greylist;
    private final AccessLists lists;
    private final boolean enabled;

    @Inject
    public GreylistCheck(Greylist greylist, AccessLists lists, GreylistConfig config) {
        this(greylist, lists, config.enabled());
    }

    public GreylistCheck(Greylist greylist, AccessLists lists, boolean enabled) {
        this.greylist = greylist;
        this.lists = lists;
        this.enabled = enabled;
    }

    @Override
    public Verdict rcptTo(SmtpContext context, String recipient) {
        if (!enabled || context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        String trusted = Trust.trusted(context);
        if (trusted != null) {
            return Verdict.tag(List.of(), 0, false, "greylisting skipped: " + trusted);
        }
        Optional<AccessLists.Entry> allow = allowedSender(context, recipient);
        if (allow.isPresent()) {
            return Verdict.tag(List.of(), 0, false, "greylisting skipped: SPF pass for allow-listed " + allow.get().describe());
        }
        Greylist.Decision decision = greylist.check(context.remoteAddress(), context.envelopeFrom(), recipient);
        PolicyMetrics.greylist(decision);
        return switch (decision) {
            case NEW, TOO_EARLY -> Verdict.tempfail("451", "4.7.1", "Greylisted, please try again in "
                    + greylist.delay().toSeconds() + " seconds", "greylisted (" + decision.name().toLowerCase() + ") "
                    + Greylist.network(context.remoteAddress()) + " " + context.envelopeFrom() + " -> " + recipient);
            case PASSED -> Verdict.tag(List.of(), 0, false, "greylisting passed after retry");
            case KNOWN -> Verdict.ACCEPT;
        };
    }

    private Optional<AccessLists.Entry> allowedSender(SmtpContext context, String recipient) {
        SpfOutcome spf = context.spf();
        if (spf == null || spf.result() != SpfResult.PASS) {
            return Optional.empty();
        }
        return lists.decide(null, null, context.envelopeFrom()).or(() -> lists.decide(mailbox(recipient), null, context.envelopeFrom()))
                .filter(e -> e.action() == AccessLists.Action.ALLOW && e.type() != AccessLists.Type.IP);
    }

    /** The mailbox a per-mailbox list entry is kept under: the recipient without a +tag, lower case. */
    static String mailbox(String recipient) {
        return org.mailkeep.store.Address.parse(recipient).map(a -> a.withoutTag().toString().toLowerCase(java.util.Locale.ROOT))
                .orElse(recipient.toLowerCase(java.util.Locale.ROOT));
    }

    @Scheduled(every = "1h", delayed = "10m")
    void purge() {
        greylist.purge();
    }
}
