package org.mailkeep.checks;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.dmarc.DkimResult;
import org.mailkeep.dmarc.DmarcOutcome;
import org.mailkeep.spf.SpfOutcome;
import org.mailkeep.policy.AuthServId;
import org.mailkeep.policy.HeaderBlock;
import org.mailkeep.policy.HeaderFilter;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes what the checks found into an Authentication-Results header (RFC 8601) with our authserv-id, and, for mail
 * that fails DMARC but is delivered, the "sender not verified" marker {@code X-MailKeep-Sender: unverified (...)}
 * that clients can show. Before that it removes from the message every Authentication-Results field carrying our
 * authserv-id (RFC 8601 §5: forged ones, since we have not added ours yet) and every X-Spam-* / X-MailKeep-* field
 * (only we may set those). Runs after SPF, DKIM and DMARC.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class AuthenticationResultsCheck implements InboundCheck {

    public static final String MARKER = "X-MailKeep-Sender";
    private static final Set<String> OURS = Set.of("x-spam-score", "x-spam-status", "x-spam-flag", "x-mailkeep-sender");

    private final Supplier<String> authServId;

    @Inject
    public AuthenticationResultsCheck(AuthServId authServId) {
        this(authServId::get);
    }

    public AuthenticationResultsCheck(Supplier<String> authServId) {
        this.authServId = authServId;
    }

    @Override
    public int order() {
        return 900;
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        String id = authServId.get();
        int removed;
        try {
            removed = HeaderFilter.strip(message, n -> n.equals("authentication-results") || OURS.contains(n) || n.startsWith("x-mailkeep-"),
                    (name, value) -> !name.equals("authentication-results") || authServIdOf(value).equalsIgnoreCase(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot filter the header of " + message, e);
        }
        if (removed > 0) {
            context.attributes().remove(HeaderBlock.KEY); // the cached header block no longer describes the file
        }
        List<String> results = new ArrayList<>();
        if (context.authenticatedUser() != null) {
            results.add("auth=pass smtp.auth=" + context.authenticatedUser());
        }
        SpfOutcome spf = SpfCheck.outcome(context);
        if (spf != null) {
            results.add("spf=" + spf.result().keyword() + " smtp.mailfrom=" + spf.identity());
        }
        if (context.listener() == SmtpContext.Listener.MX && context.authenticatedUser() == null) {
            @SuppressWarnings("unchecked")
            List<DkimResult> dkim = (List<DkimResult>) context.attributes().getOrDefault(DmarcCheck.DKIM_RESULTS, List.of());
            if (dkim.isEmpty()) {
                results.add("dkim=none");
            }
            for (DkimResult d : dkim) {
                results.add("dkim=" + d.result() + (d.domain() == null ? "" : " header.d=" + d.domain()));
            }
        }
        DmarcOutcome dmarc = (DmarcOutcome) context.attributes().get(DmarcCheck.OUTCOME);
        if (dmarc != null) {
            results.add("dmarc=" + dmarc.result() + (dmarc.fromDomain() == null ? "" : " header.from=" + dmarc.fromDomain()));
        }
        List<String> headers = new ArrayList<>();
        headers.add("Authentication-Results: " + id + (results.isEmpty() ? "; none" : ";\r\n\t" + String.join(";\r\n\t", results)));
        if (dmarc != null && (dmarc.result().equals("fail") || dmarc.result().equals("permerror"))) {
            headers.add(MARKER + ": unverified (" + dmarc.detail() + ")");
        }
        return Verdict.tag(headers, 0, false, removed > 0 ? "removed " + removed + " forged header field(s)" : null);
    }

    /** RFC 8601 §2.2: the authserv-id is the first token of the value (before ';' or a version number). */
    public static String authServIdOf(String value) {
        String v = value.replaceAll("\\([^)]*\\)", " ").trim();
        int end = 0;
        while (end < v.length() && v.charAt(end) != ';' && !Character.isWhitespace(v.charAt(end))) {
            end++;
        }
        return v.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
