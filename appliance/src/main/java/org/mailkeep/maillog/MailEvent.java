package org.mailkeep.maillog;

import java.time.Instant;

/**
 * One final decision about one message and recipient, as the admin's mail log shows it. The SMTP session
 * and the outbound queue hand these to a {@code Consumer<MailEvent>} ({@link MailLog#record}); they know
 * nothing else of the log. {@code to} is null for a decision taken before any recipient (connect, MAIL).
 */
public record MailEvent(Instant at, Direction direction, String from, String to, Result result, String reason, String remoteIp,
                        String remoteHost) {

    public enum Direction { IN, OUT }

    /** accepted/rejected/tempfailed: the SMTP server's answer; delivered/deferred/bounced: the outbound queue's attempt. */
    public enum Result { ACCEPTED, REJECTED, TEMPFAILED, DELIVERED, DEFERRED, BOUNCED }

    public static MailEvent now(Direction direction, String from, String to, Result result, String reason, String remoteIp, String remoteHost) {
        return new MailEvent(Instant.now(), direction, from, to, result, reason, remoteIp, remoteHost);
    }
}
