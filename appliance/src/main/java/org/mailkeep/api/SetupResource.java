package org.mailkeep.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.setup.SetupService;

import java.util.Map;

@Path("/api/setup")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SetupResource {

    public record SetupRequest(String token, String domain, String hostname, String adminPassword) {
    }

    private final SetupService setup;

    public SetupResource(SetupService setup) {
        this.setup = setup;
    }

    @POST
    public Response setup(SetupRequest request) {
        if (setup.isComplete()) {
            return ApiError.response(409, "MailKeep is already set up");
        }
        if (request == null) {
            return ApiError.response(400, "a JSON body with token, domain, hostname and adminPassword is required");
        }
        if (!setup.tokenMatches(request.token())) {
            return ApiError.response(403, "The setup token is not right. It is in the file mailkeep-setup.txt on the SD card.", "token");
        }
        setup.complete(request.domain(), request.hostname(), request.adminPassword());
        return Response.ok(Map.of("setupComplete", true)).build();
    }
}
