package org.mailkeep.policy;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.dmarc.DmarcOutcome;
import org.mailkeep.spf.SpfOutcome;
import org.mailkeep.spf.SpfResult;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.checks.PolicyChain;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Mail that claims one of our own domains but comes from outside without authenticating is forged: our users send
 * through submission with AUTH. Rejected with 550 5.7.1 at MAIL FROM (envelope sender of ours without an SPF pass)
 * and at the end of DATA (From header of ours without an aligned SPF or DKIM pass, whether or not the owner has
 * published a DMARC record yet). Runs after SPF and DMARC.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class AntiSpoofCheck implements InboundCheck {

    private final Predicate<String> localDomain;

    @Inject
    public AntiSpoofCheck(Directory directory) {
        this(directory::isLocalDomain);
    }

    public AntiSpoofCheck(Predicate<String> localDomain) {
        this.localDomain = localDomain;
    }

    @Override
    public Verdict mailFrom(SmtpContext context) {
        if (!fromOutside(context) || context.envelopeFrom() == null || !context.envelopeFrom().contains("@")) {
            return Verdict.ACCEPT;
        }
        String domain = Address.domainOf(context.envelopeFrom());
        if (!localDomain.test(domain)) {
            return Verdict.ACCEPT;
        }
        SpfOutcome spf = context.spf();
        if (spf != null && spf.result() == SpfResult.PASS) {
            return Verdict.ACCEPT;
        }
        return Verdict.reject("550", "5.7.1", "Sender address of " + domain + " is only accepted from authenticated users",
                "spoofed local domain in MAIL FROM " + context.envelopeFrom() + " (spf=" + (spf == null ? "none" : spf.result().keyword()) + ")");
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        if (!fromOutside(context)) {
            return Verdict.ACCEPT;
        }
        DmarcOutcome dmarc = context.dmarc();
        if (dmarc == null || dmarc.fromDomain() == null || !localDomain.test(dmarc.fromDomain()) || dmarc.aligned()) {
            return Verdict.ACCEPT;
        }
        return Verdict.reject("550", "5.7.1", "From address of " + dmarc.fromDomain() + " is only accepted from authenticated users",
                "spoofed local domain in From: " + dmarc.fromDomain() + " without aligned SPF or DKIM pass");
    }

    private static boolean fromOutside(SmtpContext context) {
        return context.listener() == SmtpContext.Listener.MX && context.authenticatedUser() == null;
    }
}
