package org.mailkeep.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

import java.util.List;

/**
 * The one DNS resolver every feature uses (SPF, DKIM, DMARC, MX lookup, DNSBL, record checks). Production
 * points it at the configured servers or the system's; tests point it at the local BIND
 * ({@code mailkeep.dns.servers=127.0.0.1:5353}).
 */
public interface Resolver {

    /** How a query ended, in the terms of RFC 7208 §2.6 / RFC 6376 §6.1.2 that the mail standards need. */
    enum Status {
        /** Records found (the list may still be empty for a NOERROR/NODATA answer: see {@link #NO_DATA}). */
        OK,
        /** The name exists but has no record of that type (NOERROR, empty answer). */
        NO_DATA,
        /** NXDOMAIN. */
        NX_DOMAIN,
        /** SERVFAIL, timeout or another transient failure: callers return a temporary error. */
        TEMP_FAIL
    }

    record Answer(Status status, List<Record> records, String error) {
        public boolean found() {
            return status == Status.OK && !records.isEmpty();
        }
    }

    /** Queries {@code name} for records of {@code type} (org.xbill.DNS.Type), following CNAMEs. */
    Answer query(Name name, int type);

    /** Convenience for text names; an unparsable name answers NX_DOMAIN. */
    default Answer query(String name, int type) {
        try {
            return query(Name.fromString(name.endsWith(".") ? name : name + "."), type);
        } catch (org.xbill.DNS.TextParseException e) {
            return new Answer(Status.NX_DOMAIN, List.of(), "invalid name " + name + ": " + e.getMessage());
        }
    }
}
