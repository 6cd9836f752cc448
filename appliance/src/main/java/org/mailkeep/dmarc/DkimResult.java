package org.mailkeep.dmarc;

/**
 * One DKIM signature's verification result as DMARC needs it (RFC 7489 §4.2): the signing domain d= (null when the
 * signature did not name one) and the RFC 8601 §2.7.1 result keyword (pass, fail, neutral, temperror, permerror).
 * The DKIM check leaves a {@code List<DkimResult>} in the context ({@code SmtpContext.dkim()}).
 */
public record DkimResult(String domain, String result) {

    public DkimResult(String domain, boolean pass) {
        this(domain, pass ? "pass" : "fail");
    }

    /** Only a verified signature counts for DMARC (RFC 7489 §4.2). */
    public boolean pass() {
        return result.equals("pass");
    }
}
