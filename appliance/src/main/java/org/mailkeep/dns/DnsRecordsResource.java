package org.mailkeep.dns;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.box.InvalidInput;
import org.mailkeep.setup.SetupService;
import org.mailkeep.box.ConflictException;

import java.util.List;
import java.util.Optional;

/** {@code GET /api/dns/records} and {@code GET /api/dns/zone} (docs/interface.md). */
@Path("/api/dns")
public class DnsRecordsResource {

    /** The media type of master files (RFC 4027). */
    static final String TEXT_DNS = "text/dns";

    private final DnsRecords records;
    private final SetupService setup;

    public DnsRecordsResource(DnsRecords records, SetupService setup) {
        this.records = records;
        this.setup = setup;
    }

    /** Every record with its live check; {@code group} (receive, send, recommended) checks that group only. */
    @GET
    @Path("records")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public List<CheckedRecord> list(@QueryParam("group") String group) {
        if (group == null || group.isBlank()) {
            return records.checked(Optional.empty());
        }
        return records.checked(Optional.of(RecordGroup.byId(group)
                .orElseThrow(() -> new InvalidInput("group", "group must be receive, send or recommended"))));
    }

    /** The records as a zone-file fragment to download ({@code <domain>.zone}). */
    @GET
    @Path("zone")
    @Produces(TEXT_DNS)
    public Response zone() {
        String domain = setup.domain().orElseThrow(() -> new ConflictException("setup is not complete: no domain yet"));
        String hostname = setup.hostname().orElseThrow();
        return Response.ok(ZoneFile.render(domain, hostname, records.published()), TEXT_DNS + "; charset=us-ascii")
                .header("Content-Disposition", "attachment; filename=\"" + domain + ".zone\"")
                .build();
    }
}
