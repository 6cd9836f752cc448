package org.mailkeep.checks;

import jakarta.inject.Singleton;
import org.mailkeep.dmarc.DkimResult;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.dkim.DkimVerifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Verifies the DKIM signatures of mail from outside at the end of DATA (RFC 6376 §6) and leaves one
 * {@link DkimResult} per signature in {@link SmtpContext#dkim()}, where DMARC alignment (RFC 7489 §3.1.1) and
 * the Authentication-Results header read them. Runs before DMARC; decides nothing by itself (RFC 6376 §6.3: a failed
 * signature is treated as no signature, the policy is DMARC's).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>
public class DkimCheck implements InboundCheck {

    private final DkimVerifier verifier;

    public DkimCheck(DkimVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        if (context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        List<DkimVerifier.Result> verified;
        try {
            verified = verifier.verify(message);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + message + " for DKIM", e);
        }
        context.dkim(verified.stream().map(r -> new DkimResult(r.domain(), r.result().keyword())).toList());
        return verified.isEmpty() ? Verdict.ACCEPT : Verdict.tag(List.of(), 0, false, verified.stream()
                .map(r -> "dkim=" + r.result().keyword() + " d=" + r.domain() + " s=" + r.selector() + " (" + r.reason() + ")")
                .collect(Collectors.joining(", ")));
    }
}
