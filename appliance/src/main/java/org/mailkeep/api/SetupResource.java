package org.mailkeep.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.admin.AdminGate;
import org.mailkeep.admin.LoginThrottle;
import org.mailkeep.setup.SetupService;

import java.util.Map;

@Path("/api/setup")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SetupResource {

    public record SetupRequest(String token, String domain, String hostname, String adminPassword) {
    }

    public record ClaimRequest(String token) {
    }

    private final SetupService setup;
    private final LoginThrottle throttle;

    public SetupResource(SetupService setup, LoginThrottle throttle) {
        this.setup = setup;
        this.throttle = throttle;
    }

    /** Checks the setup token alone, so the wizard can confirm the claim before asking anything else. Rate-limited. */
    @POST
    @Path("claim")
    public Response claim(ClaimRequest request, @Context HttpServerRequest http) {
        if (setup.isComplete()) {
            return ApiError.response(409, "MailKeep is already set up");
        }
        Response refused = checkToken(request == null ? null : request.token(), http.remoteAddress().hostAddress());
        return refused != null ? refused : Response.ok(Map.of("claimed", true)).build();
    }

    @POST
    public Response setup(SetupRequest request, @Context HttpServerRequest http) {
        if (setup.isComplete()) {
            return ApiError.response(409, "MailKeep is already set up");
        }
        if (request == null) {
            return ApiError.response(400, "a JSON body with token, domain, hostname and adminPassword is required");
        }
        Response refused = checkToken(request.token(), http.remoteAddress().hostAddress());
        if (refused != null) {
            return refused;
        }
        setup.complete(request.domain(), request.hostname(), request.adminPassword());
        return Response.ok(Map.of("setupComplete", true)).build();
    }

    /** Null when the token is right; a 429 while the client has guessed too often, else 403 at the token field. */
    private Response checkToken(String token, String client) {
        long wait = throttle.retryAfterSeconds(client);
        if (wait > 0) {
            return AdminGate.tooManyAttempts(wait, "token");
        }
        if (!setup.tokenMatches(token)) {
            throttle.failed(client);
            return ApiError.response(403, "The setup token is not right. It is in the file mailkeep-setup.txt on the SD card.", "token");
        }
        return null;
    }
}
