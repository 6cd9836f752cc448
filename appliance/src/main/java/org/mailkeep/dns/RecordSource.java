package org.mailkeep.dns;

import java.util.List;

/**
 * A feature that needs records in the owner's DNS zone (MX and A of the host, SPF, DKIM keys, DMARC,
 * MTA-STS, ...) contributes them as a CDI bean implementing this; {@code GET /api/dns/records} lists and
 * checks the records of every source.
 */
public interface RecordSource {

    /** The records for mail domain {@code domain} served by host {@code hostname}. */
    List<PublishedRecord> records(String domain, String hostname);
}
