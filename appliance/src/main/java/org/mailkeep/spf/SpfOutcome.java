package org.mailkeep.spf;

/**
 * What an SPF check found: the result, the domain whose policy decided it (the MAIL FROM domain, or the HELO name
 * for the null sender, RFC 7208 §2.4), the identity checked, and for a fail the explanation (§6.2) or a reason.
 */
public record SpfOutcome(SpfResult result, String domain, String identity, String explanation) {
}
