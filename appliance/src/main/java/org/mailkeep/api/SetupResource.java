package org.mailkeep.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.admin.AdminGate;
import org.mailkeep.setup.ButtonClaim;
import org.mailkeep.setup.SetupService;
import org.mailkeep.box.ApiError;

import java.util.Map;

@Path("/api/setup")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SetupResource {

    /** {@code claim}: the value a button claim gave (GET /api/setup/claim), in place of {@code token}. */
    public record SetupRequest(String token, String claim, String domain, String hostname, String adminPassword) {
    }

    /** {@code method}: "token" (default) or "button". */
    public record ClaimRequest(String token, String method) {
    }

    private final SetupService setup;
    private final AdminGate gate;
    private final ButtonClaim button;

    public SetupResource(SetupService setup, AdminGate gate, ButtonClaim button) {
        this.setup = setup;
        this.gate = gate;
        this.button = button;
    }

    /**
     * Checks the setup token alone, so the wizard can confirm the claim before asking anything else (rate-limited);
     * or, with {@code "method": "button"}, starts a 60 s wait for a press of the box's button (202).
     */
    @POST
    @Path("claim")
    public Response claim(ClaimRequest request, @Context HttpServerRequest http) {
        if (setup.isComplete()) {
            return ApiError.response(409, "MailKeep is already set up");
        }
        String client = http.remoteAddress().hostAddress();
        if (request != null && "button".equals(request.method())) {
            return button.start(client)
                    .map(until -> Response.status(202).entity(Map.of("waitingUntil", until.toString())).build())
                    .orElseGet(() -> ApiError.response(409, "Someone else is claiming this box with its button right now; try again in a minute."));
        }
        if (request != null && request.method() != null && !"token".equals(request.method())) {
            return ApiError.response(400, "method must be token or button", "method");
        }
        Response refused = gate.checkSetupToken(client, request == null ? null : request.token());
        return refused != null ? refused : Response.ok(Map.of("claimed", true)).build();
    }

    /** The button claim's state; the claim value itself only for the client that asked for it, once the button confirmed it. */
    @GET
    @Path("claim")
    public ButtonClaim.View claimState(@Context HttpServerRequest http) {
        if (setup.isComplete()) {
            return ButtonClaim.View.of(ButtonClaim.State.CLAIMED, null, null);
        }
        return button.view(http.remoteAddress().hostAddress());
    }

    @POST
    public Response setup(SetupRequest request, @Context HttpServerRequest http) {
        if (setup.isComplete()) {
            return ApiError.response(409, "MailKeep is already set up");
        }
        if (request == null) {
            return ApiError.response(400, "a JSON body with token, domain, hostname and adminPassword is required");
        }
        String client = http.remoteAddress().hostAddress();
        Response refused = request.claim() != null ? checkClaim(request.claim(), client) : gate.checkSetupToken(client, request.token());
        if (refused != null) {
            return refused;
        }
        setup.complete(request.domain(), request.hostname(), request.adminPassword());
        if (request.claim() != null) {
            button.used();
        }
        return Response.ok(Map.of("setupComplete", true)).build();
    }

    /** As {@link AdminGate#checkSetupToken}, for the value of a button claim (field {@code claim}). */
    private Response checkClaim(String claim, String client) {
        return gate.checkSecret(client, "claim", () -> button.matches(claim, client),
                "This claim is not valid (used already, or the button was not pressed in time). Claim the box again.");
    }

}
