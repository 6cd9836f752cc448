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
import org.mailkeep.admin.LoginThrottle;
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
    private final LoginThrottle throttle;
    private final ButtonClaim button;

    public SetupResource(SetupService setup, LoginThrottle throttle, ButtonClaim button) {
        this.setup = setup;
        this.throttle = throttle;
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
        Response refused = checkToken(request == null ? null : request.token(), client);
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
        Response refused = request.claim() != null ? checkClaim(request.claim(), client) : checkToken(request.token(), client);
        if (refused != null) {
            return refused;
        }
        setup.complete(request.domain(), request.hostname(), request.adminPassword());
        if (request.claim() != null) {
            button.used();
        }
        return Response.ok(Map.of("setupComplete", true)).build();
    }

    /** As {@link #checkToken}, for the value of a button claim (field {@code claim}). */
    private Response checkClaim(String claim, String client) {
        return checkSecret(client, "claim", () -> button.matches(claim),
                "This claim is not valid (used already, or the button was not pressed in time). Claim the box again.");
    }

    /** Null when the token is right; a 429 while the client has guessed too often, else 403 at the token field. */
    private Response checkToken(String token, String client) {
        return checkSecret(client, "token", () -> setup.tokenMatches(token),
                "The setup token is not right. It is in the file mailkeep-setup.txt on the SD card.");
    }

    /** Null when {@code matches}; a 429 while the client has guessed too often (not even compared), else 403 at {@code field}. */
    private Response checkSecret(String client, String field, java.util.function.BooleanSupplier matches, String refusal) {
        long wait = throttle.retryAfterSeconds(client);
        if (wait > 0) {
            return AdminGate.tooManyAttempts(wait, field);
        }
        if (!matches.getAsBoolean()) {
            throttle.failed(client);
            return ApiError.response(403, refusal, field);
        }
        return null;
    }
}
