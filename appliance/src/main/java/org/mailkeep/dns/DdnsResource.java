package org.mailkeep.dns;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.mailkeep.box.InvalidInput;

/** Dynamic DNS settings and state: {@code GET /api/ddns}, {@code GET/PUT /api/ddns/settings} (docs/interface.md). */
@Path("/api/ddns")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DdnsResource {

    private final DdnsService ddns;

    public DdnsResource(DdnsService ddns) {
        this.ddns = ddns;
    }

    @GET
    public DdnsService.Status status() {
        return ddns.status();
    }

    @GET
    @Path("settings")
    public DdnsSettings settings() {
        return ddns.settings().withoutSecrets();
    }

    @PUT
    @Path("settings")
    public DdnsSettings save(DdnsSettings body) {
        if (body == null) {
            throw new InvalidInput("method", "a JSON body with at least \"method\" is required");
        }
        try {
            return ddns.save(body);
        } catch (DdnsSettings.Invalid e) {
            throw new InvalidInput(e.field, e.getMessage());
        }
    }

    /** What the "test" button shows: whether the update went through, and the provider's or server's error. */
    public record TestAnswer(boolean ok, String hostname, String ipv4, String ipv6, String message) {
    }

    /** One real update with the body's settings (as PUT /api/ddns/settings; omitted secrets = the stored ones), not saved. */
    @POST
    @Path("test")
    public TestAnswer test(DdnsSettings body) {
        if (body == null) {
            throw new InvalidInput("method", "a JSON body with at least \"method\" is required");
        }
        DdnsService.Update update;
        try {
            update = ddns.test(body);
        } catch (DdnsSettings.Invalid e) {
            throw new InvalidInput(e.field, e.getMessage());
        }
        return new TestAnswer(update.ok(), update.hostname(), update.ipv4(), update.ipv6(),
                update.ok() ? update.hostname() + " now points at " + (update.ipv4() != null ? update.ipv4() : "") + (update.ipv6() != null ? " " + update.ipv6() : "")
                        : update.error());
    }
}
