package org.mailkeep.policy;

/**
 * Marks that earlier checks leave for later ones: a connection that a DNS allowlist or the owner's allow list
 * vouches for, and a sender or recipient-level allow entry. Trusted mail skips greylisting and the spam score; it is
 * still scanned for viruses and dangerous attachments, and DMARC/anti-spoofing still apply (an allowed address can be
 * forged, an allowed IP cannot).
 */
public final class Trust {

    private Trust() {
    }

    /** The connecting host is trusted for the whole connection (why: for the audit log). */
    public static void trustConnection(SmtpContext context, String why) {
        context.trustedConnection = why;
    }

    /** This transaction is trusted (an allow entry for the sender or, at RCPT, for a recipient). */
    public static void trustTransaction(SmtpContext context, String why) {
        context.trustedTransaction = why;
    }

    /** Why this transaction is trusted, or null when it is not. */
    public static String trusted(SmtpContext context) {
        return context.trustedConnection != null ? context.trustedConnection : context.trustedTransaction;
    }
}
