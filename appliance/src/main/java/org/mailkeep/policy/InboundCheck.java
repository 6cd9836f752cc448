package org.mailkeep.policy;

import java.nio.file.Path;

/**
 * One stage of the inbound policy chain (a CDI bean implementing this): blocklists, SPF, greylisting,
 * antivirus, ... The SMTP session asks the chain (checks.PolicyChain, whose one list fixes the order of the
 * checks) at each step of the transaction; a check answers only for the stages it cares about. Decide during the
 * session where possible: rejecting is better than bouncing later (RFC 5321 §6.2).
 */
public interface InboundCheck {

    /** After the client connected, before the greeting. */
    default Verdict connect(SmtpContext context) {
        return Verdict.ACCEPT;
    }

    /** After MAIL FROM. */
    default Verdict mailFrom(SmtpContext context) {
        return Verdict.ACCEPT;
    }

    /** For each RCPT TO that names a valid local recipient (or any recipient on an authenticated session). */
    default Verdict rcptTo(SmtpContext context, String recipient) {
        return Verdict.ACCEPT;
    }

    /**
     * After the whole message is received and spooled, before "250 OK". {@code message} is the message as the
     * client sent it (no trace headers of ours yet), with CRLF line ends.
     */
    default Verdict data(SmtpContext context, Path message) {
        return Verdict.ACCEPT;
    }
}
