package org.mailkeep.queue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A (possibly multi-line) SMTP reply (RFC 5321 §4.2) with its enhanced status code when given (RFC 3463). */
public record SmtpReply(int code, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

    public boolean positive() {
        return code >= 200 && code < 400;
    }

    public boolean transient4xx() {
        return code >= 400 && code < 500;
    }

    public boolean permanent() {
        return code >= 500;
    }

    /** All lines joined, without the codes: what the remote said, for DSNs and the queue API. */
    public String text() {
        return String.join(" ", lines);
    }

    /** The RFC 3463 code of the first line, or one derived from the basic code class (RFC 3463 §3.1: X.0.0). */
    public String enhancedStatus() {
        if (!lines.isEmpty()) {
            Matcher m = ENHANCED.matcher(lines.get(0));
            if (m.find() && m.group(1).charAt(0) - '0' == code / 100) {
                return m.group();
            }
        }
        return (code / 100) + ".0.0";
    }

    @Override
    public String toString() {
        return code + " " + text();
    }
}
