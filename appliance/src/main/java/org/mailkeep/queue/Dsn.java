package org.mailkeep.queue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;

/**
 * Delivery status notifications (RFC 3464) as multipart/report (RFC 6522): a human-readable part, the
 * machine-readable message/delivery-status, and the original's header section as text/rfc822-headers
 * (the body is not returned: it may be large and the sender has it). Written by hand because it is a fixed
 * text layout; mime4j's DOM would hold the parts in memory and add nothing to three fixed parts.
 */
final class Dsn {

    enum Action { FAILED, DELAYED }

    /** One recipient's line in the report. */
    record RecipientStatus(String recipient, String status, String diagnostic, String remoteMta, long lastAttempt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private Dsn() {
    }

    /** Writes the report addressed to {@code sender}; {@code original} is read up to the end of its header section. */
    static void write(OutputStream out, Action action, String reportingHost, String sender, long arrival, long retryUntil,
                      List<RecipientStatus> recipients, InputStream original) throws IOException {
        String boundary = "mk-dsn-" + HexFormat.of().formatHex(randomBytes(12));
        String failed = action == Action.FAILED ? "could not be delivered" : "has not been delivered yet";
        StringBuilder text = new StringBuilder();
        text.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingHost).append(">\r\n")
                .append("To: <").append(sender).append(">\r\n")
                .append("Subject: ").append(action == Action.FAILED ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)").append("\r\n")
                .append("Date: ").append(date(System.currentTimeMillis())).append("\r\n")
                .append("Message-ID: <").append(HexFormat.of().formatHex(randomBytes(16))).append("@").append(reportingHost).append(">\r\n")
                .append("Auto-Submitted: auto-replied\r\n") // RFC 3834 §5: no auto-replies to this
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary).append("\"\r\n")
                .append("\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n\r\n")
                .append("This is the mail system at ").append(reportingHost).append(".\r\n\r\n")
                .append("Your message ").append(failed).append(" to these recipients:\r\n\r\n");
        for (RecipientStatus r : recipients) {
            text.append("<").append(r.recipient()).append(">: ").append(r.diagnostic() == null ? r.status() : r.diagnostic()).append("\r\n");
        }
        if (action == Action.DELAYED) {
            text.append("\r\nIt will be retried until ").append(date(retryUntil)).append("; you do not need to send it again.\r\n");
        }
        text.append("\r\n--").append(boundary).append("\r\n")
                .append("Content-Type: message/delivery-status\r\n\r\n")
                .append("Reporting-MTA: dns; ").append(reportingHost).append("\r\n")
                .append("Arrival-Date: ").append(date(arrival)).append("\r\n");
        for (RecipientStatus r : recipients) {
            text.append("\r\nFinal-Recipient: rfc822; ").append(r.recipient()).append("\r\n")
                    .append("Action: ").append(action == Action.FAILED ? "failed" : "delayed").append("\r\n")
                    .append("Status: ").append(r.status()).append("\r\n");
            if (r.remoteMta() != null) {
                text.append("Remote-MTA: dns; ").append(r.remoteMta()).append("\r\n");
            }
            if (r.diagnostic() != null) {
                text.append("Diagnostic-Code: smtp; ").append(r.diagnostic().replaceAll("[\r\n]+", " ")).append("\r\n");
            }
            if (r.lastAttempt() > 0) {
                text.append("Last-Attempt-Date: ").append(date(r.lastAttempt())).append("\r\n");
            }
            if (action == Action.DELAYED) {
                text.append("Will-Retry-Until: ").append(date(retryUntil)).append("\r\n");
            }
        }
        text.append("\r\n--").append(boundary).append("\r\n")
                .append("Content-Type: text/rfc822-headers\r\n\r\n");
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        copyHeader(original, out);
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Copies the header section (up to the first empty line), line ends made CRLF. */
    private static void copyHeader(InputStream original, OutputStream out) throws IOException {
        InputStream in = new BufferedInputStream(original);
        int b;
        int previous = '\n';
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                if (previous == '\n') {
                    return;
                }
                out.write('\r');
            } else if (b == '\r') {
                continue;
            }
            out.write(b);
            previous = b;
        }
    }

    static String date(long millis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
