package org.mailkeep.queue;

/**
 * What one attempt did for one recipient. {@code reputation}: the remote refused our IP address (a
 * fallback trigger), so the recipient is not bounced but retried through the relay.
 */
record Outcome(Kind kind, String status, String text, String remoteMta, boolean reputation) {

    enum Kind { DELIVERED, TEMPORARY, PERMANENT }

    static Outcome of(SmtpReply reply, String remoteMta) {
        Kind kind = reply.positive() ? Kind.DELIVERED : reply.transient4xx() ? Kind.TEMPORARY : Kind.PERMANENT;
        return new Outcome(kind, reply.enhancedStatus(), reply.toString(), remoteMta, Fallback.isReputation(reply));
    }

    static Outcome temporary(String text, String remoteMta) {
        return new Outcome(Kind.TEMPORARY, statusOf(text, "4.0.0"), text, remoteMta, false);
    }

    static Outcome permanent(String text, String remoteMta) {
        return new Outcome(Kind.PERMANENT, statusOf(text, "5.0.0"), text, remoteMta, false);
    }

    /** Our own texts start with their RFC 3463 code ("5.1.10 ..."). */
    private static String statusOf(String text, String fallback) {
        return text.matches("[245]\\.\\d{1,3}\\.\\d{1,3}\\b.*") ? text.substring(0, text.indexOf(' ') < 0 ? text.length() : text.indexOf(' ')) : fallback;
    }

    /** A reputation refusal is not final while a relay can still carry the message. */
    Outcome retryable() {
        return new Outcome(Kind.TEMPORARY, status.replaceFirst("^5", "4"), text, remoteMta, reputation);
    }
}
