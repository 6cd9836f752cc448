package org.mailkeep.dns;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** {@code GET /api/dns/records} (docs/interface.md). */
@Path("/api/dns/records")
@Produces(MediaType.APPLICATION_JSON)
public class DnsRecordsResource {

    private final DnsRecords records;

    public DnsRecordsResource(DnsRecords records) {
        this.records = records;
    }

    @GET
    @Blocking
    public List<CheckedRecord> list() {
        return records.checked();
    }
}
