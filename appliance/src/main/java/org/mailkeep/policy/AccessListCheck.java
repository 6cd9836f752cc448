package org.mailkeep.policy;

import jakarta.inject.Singleton;
import org.mailkeep.spf.SpfOutcome;
import org.mailkeep.spf.SpfResult;
import org.mailkeep.checks.PolicyChain;

import java.util.List;
import java.util.Optional;

/**
 * The owner's allow/block lists in the session: global IP entries at connect, global sender entries at MAIL FROM,
 * the recipient's own entries at RCPT TO. A block answers 554 (connect) or 550 5.7.1. An IP allow trusts the
 * connection; an address or domain allow trusts the transaction only when SPF passes for the sender, because an
 * envelope sender is trivially forged (runs after the SPF check). Authenticated sessions are not filtered.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class AccessListCheck implements InboundCheck {

    private final AccessLists lists;

    public AccessListCheck(AccessLists lists) {
        this.lists = lists;
    }

    @Override
    public Verdict connect(SmtpContext context) {
        if (context.listener() != SmtpContext.Listener.MX) {
            return Verdict.ACCEPT;
        }
        Optional<AccessLists.Entry> entry = lists.decide(null, context.remoteAddress(), null);
        if (entry.isEmpty()) {
            return Verdict.ACCEPT;
        }
        if (entry.get().action() == AccessLists.Action.BLOCK) {
            return Verdict.reject("554", "5.7.1", "Client host " + context.remoteAddress().getHostAddress() + " blocked by local policy",
                    "blocked by " + entry.get().describe());
        }
        Trust.trustConnection(context, entry.get().describe());
        return Verdict.tag(List.of(), 0, false, "allowed by " + entry.get().describe());
    }

    @Override
    public Verdict mailFrom(SmtpContext context) {
        if (context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        return decide(context, lists.decide(null, null, context.envelopeFrom()), "Sender address " + context.envelopeFrom());
    }

    @Override
    public Verdict rcptTo(SmtpContext context, String recipient) {
        if (context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        return decide(context, lists.decide(GreylistCheck.mailbox(recipient), context.remoteAddress(), context.envelopeFrom()),
                "Mail from " + context.envelopeFrom() + " to " + recipient);
    }

    private static Verdict decide(SmtpContext context, Optional<AccessLists.Entry> entry, String what) {
        if (entry.isEmpty()) {
            return Verdict.ACCEPT;
        }
        AccessLists.Entry e = entry.get();
        if (e.action() == AccessLists.Action.BLOCK) {
            return Verdict.reject("550", "5.7.1", what + " blocked by local policy", "blocked by " + e.describe());
        }
        if (e.type() == AccessLists.Type.IP) {
            Trust.trustTransaction(context, e.describe());
            return Verdict.tag(List.of(), 0, false, "allowed by " + e.describe());
        }
        SpfOutcome spf = context.spf();
        if (spf != null && spf.result() == SpfResult.PASS) {
            Trust.trustTransaction(context, e.describe() + " with SPF pass");
            return Verdict.tag(List.of(), 0, false, "allowed by " + e.describe() + " (SPF pass)");
        }
        return Verdict.tag(List.of(), 0, false, "allow entry " + e.describe() + " ignored: SPF did not pass ("
                + (spf == null ? "not checked" : spf.result().keyword()) + ")");
    }
}
