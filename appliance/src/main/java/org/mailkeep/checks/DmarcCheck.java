package org.mailkeep.checks;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;
import org.mailkeep.dns.Resolver;
import org.mailkeep.policy.HeaderBlock;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.SpamSignals;
import org.mailkeep.policy.Verdict;
import org.mailkeep.dmarc.DmarcEvaluator;
import org.mailkeep.dmarc.DmarcOutcome;
import org.mailkeep.dmarc.DmarcRecord;
import org.mailkeep.dmarc.PublicSuffixList;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * DMARC at the end of DATA for mail from outside: p=reject → 550 5.7.1 (reject rather than bounce, RFC 7489 §10.3),
 * p=quarantine → Junk. The outcome stays in the context ({@link SmtpContext#dmarc()}) for
 * Authentication-Results and anti-spoofing. It is evaluated from the SPF and DKIM results that {@link SpfCheck} and
 * {@link DkimCheck} (both before this check in {@link PolicyChain#ORDER}) left in the context.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class DmarcCheck implements InboundCheck {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DmarcEvaluator evaluator;

    @Inject
    public DmarcCheck(Resolver resolver) {
        this(new DmarcEvaluator(resolver, PublicSuffixList.bundled(), () -> RANDOM.nextInt(100)));
    }

    public DmarcCheck(DmarcEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        if (context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        Optional<String> fromDomain = fromDomain(context.headers(message));
        if (fromDomain.isEmpty()) {
            DmarcOutcome outcome = new DmarcOutcome("permerror", null, DmarcRecord.Policy.NONE, false,
                    "the message does not have exactly one From address (RFC 7489 §6.6.1)");
            context.dmarc(outcome);
            return SpamSignals.score(context, "FROM_INVALID", 3.0, outcome.detail());
        }
        DmarcOutcome outcome = evaluator.evaluate(fromDomain.get(), context.spf(), context.dkim());
        context.dmarc(outcome);
        String detail = "dmarc=" + outcome.result() + " " + outcome.detail();
        if (!outcome.result().equals("fail")) {
            return Verdict.tag(List.of(), 0, false, detail);
        }
        return switch (outcome.disposition()) {
            case REJECT -> Verdict.reject("550", "5.7.1", "Rejected by the DMARC policy of " + outcome.fromDomain()
                    + ": the sender could not be verified", detail);
            case QUARANTINE -> {
                Verdict scored = SpamSignals.score(context, "DMARC_QUARANTINE", 3.0, detail);
                yield Verdict.tag(scored.headers(), scored.score(), true, scored.reason());
            }
            case NONE -> SpamSignals.score(context, "DMARC_FAIL", 2.0, detail);
        };
    }

    /** RFC 7489 §6.6.1: the domain of the single From field's single mailbox, or empty. */
    public static Optional<String> fromDomain(HeaderBlock headers) {
        List<String> froms = headers.all("From");
        if (froms.size() != 1) {
            return Optional.empty();
        }
        AddressList list;
        try {
            list = DefaultAddressParser.DEFAULT.parseAddressList(froms.get(0));
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
        List<Mailbox> mailboxes = new ArrayList<>();
        for (Address a : list) {
            if (a instanceof Mailbox m) {
                mailboxes.add(m);
            } else if (a instanceof Group g) {
                mailboxes.addAll(g.getMailboxes());
            }
        }
        if (mailboxes.size() != 1 || mailboxes.get(0).getDomain() == null || mailboxes.get(0).getDomain().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(mailboxes.get(0).getDomain().toLowerCase(Locale.ROOT));
    }
}
