package org.mailkeep.checks;

import org.mailkeep.dmarc.DkimResult;
import org.mailkeep.dmarc.DmarcOutcome;
import org.mailkeep.policy.HeaderFilter;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.spf.SpfOutcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The chain's last step of DATA: writes what the checks found into an Authentication-Results header (RFC 8601) with
 * our authserv-id, and, for mail that fails DMARC but is delivered, the "sender not verified" marker
 * {@code X-MailKeep-Sender: unverified (...)} that clients can show. Before that it removes from the message every
 * Authentication-Results field carrying our authserv-id (RFC 8601 §5: forged ones, since we have not added ours yet)
 * and every X-Spam-* / X-MailKeep-* field (only we may set those). The header is built from the typed results the
 * checks left ({@link #header}: SPF, DKIM and DMARC passed as arguments), not read back from the message.
 */
public final class AuthenticationResults {

    static final String MARKER = "X-MailKeep-Sender";
    private static final Set<String> OURS = Set.of("x-spam-score", "x-spam-status", "x-spam-flag", "x-mailkeep-sender");

    private final Supplier<String> authServId;

    AuthenticationResults(Supplier<String> authServId) {
        this.authServId = authServId;
    }

    /**
     * Strips the forged fields from the spooled {@code message} (the chain owns the spool file during DATA, and tells
     * the context its header changed) and returns the header fields to add, with the removal as the reason.
     */
    Verdict stamp(SmtpContext context, Path message) {
        String id = authServId.get();
        int removed;
        try {
            removed = HeaderFilter.strip(message, n -> n.equals("authentication-results") || OURS.contains(n) || n.startsWith("x-mailkeep-"),
                    (name, value) -> !name.equals("authentication-results") || authServIdOf(value).equalsIgnoreCase(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot filter the header of " + message, e);
        }
        if (removed > 0) {
            context.headerRewritten();
        }
        boolean dkimChecked = context.listener() == SmtpContext.Listener.MX && context.authenticatedUser() == null;
        List<String> headers = header(id, context.authenticatedUser(), context.spf(), dkimChecked ? context.dkim() : null, context.dmarc());
        return Verdict.tag(headers, 0, false, removed > 0 ? "removed " + removed + " forged header field(s)" : null);
    }

    /**
     * The Authentication-Results field (RFC 8601 §2.2) for these results, and the unverified-sender marker when DMARC
     * failed; {@code dkim} null when DKIM was not checked (an authenticated or submission session), a null
     * {@code spf} or {@code dmarc} when that method was not evaluated.
     */
    static List<String> header(String authServId, String authenticatedUser, SpfOutcome spf, List<DkimResult> dkim, DmarcOutcome dmarc) {
        List<String> results = new ArrayList<>();
        if (authenticatedUser != null) {
            results.add("auth=pass smtp.auth=" + authenticatedUser);
        }
        if (spf != null) {
            results.add("spf=" + spf.result().keyword() + " smtp.mailfrom=" + spf.identity());
        }
        if (dkim != null) {
            if (dkim.isEmpty()) {
                results.add("dkim=none");
            }
            for (DkimResult d : dkim) {
                results.add("dkim=" + d.result() + (d.domain() == null ? "" : " header.d=" + d.domain()));
            }
        }
        if (dmarc != null) {
            results.add("dmarc=" + dmarc.result() + (dmarc.fromDomain() == null ? "" : " header.from=" + dmarc.fromDomain()));
        }
        List<String> headers = new ArrayList<>();
        headers.add("Authentication-Results: " + authServId + (results.isEmpty() ? "; none" : ";\r\n\t" + String.join(";\r\n\t", results)));
        if (dmarc != null && (dmarc.result().equals("fail") || dmarc.result().equals("permerror"))) {
            headers.add(MARKER + ": unverified (" + dmarc.detail() + ")");
        }
        return headers;
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
