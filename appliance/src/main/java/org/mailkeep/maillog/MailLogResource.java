package org.mailkeep.maillog;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.mailkeep.box.InvalidInput;

import java.util.List;
import java.util.Locale;

/** GET /api/mail-log: recent accept/reject/delivery decisions, newest first (admin only, like all of /api). */
@Path("/api/mail-log")
@Produces(MediaType.APPLICATION_JSON)
public class MailLogResource {

    static final int MAX_LIMIT = 1000;

    private final MailLog log;

    public MailLogResource(MailLog log) {
        this.log = log;
    }

    @GET
    public List<MailLog.View> list(@QueryParam("limit") @DefaultValue("100") int limit, @QueryParam("direction") String direction) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInput("limit", "limit must be 1-" + MAX_LIMIT);
        }
        MailEvent.Direction which = null;
        if (direction != null && !direction.isBlank()) {
            try {
                which = MailEvent.Direction.valueOf(direction.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInput("direction", "direction must be in or out");
            }
        }
        return log.recent(limit, which).stream().map(MailLog.View::of).toList();
    }
}
