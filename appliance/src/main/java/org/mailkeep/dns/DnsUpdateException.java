package org.mailkeep.dns;

/** An RFC 2136 update the server did not apply; {@code rcode} is its answer ("REFUSED", "NOTAUTH", ...) or "TIMEOUT". */
public class DnsUpdateException extends Exception {

    public final String rcode;

    public DnsUpdateException(String rcode, String message) {
        super(message);
        this.rcode = rcode;
    }
}
