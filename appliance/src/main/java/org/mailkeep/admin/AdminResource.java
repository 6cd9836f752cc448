package org.mailkeep.admin;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.box.ApiError;
import org.mailkeep.setup.SetupService;

import java.util.List;
import java.util.Map;

/**
 * The admin's browser login: password (and a TOTP or recovery code once 2FA is on) → a session cookie
 * (HttpOnly, SameSite=Strict, Secure under HTTPS) and the CSRF token the page sends back; logout; 2FA enrolment.
 * Reached after setup; the login is open, the rest goes through {@link AdminGate}.
 */
@Path("/api/admin")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    public record LoginRequest(String password, String code) {
    }

    public record SessionInfo(String csrf, boolean twoFactor, int recoveryCodesLeft, long idleSeconds, String domain, String hostname) {
    }

    public record CodeRequest(String code) {
    }

    public record PassphraseChange(String current, String passphrase) {
    }

    public record AccessSettings(Boolean lanOnly) {
    }

    private final SetupService setup;
    private final AdminSessions sessions;
    private final TwoFactor twoFactor;
    private final LoginThrottle throttle;
    private final AdminAccess access;

    public AdminResource(SetupService setup, AdminSessions sessions, TwoFactor twoFactor, LoginThrottle throttle, AdminAccess access) {
        this.access = access;
        this.setup = setup;
        this.sessions = sessions;
        this.twoFactor = twoFactor;
        this.throttle = throttle;
    }

    @POST
    @Path("login")
    public Response login(LoginRequest request, @Context HttpServerRequest http) {
        String client = http.remoteAddress().hostAddress();
        long wait = throttle.retryAfterSeconds(client);
        if (wait > 0) {
            return AdminGate.tooManyAttempts(wait, "password");
        }
        if (request == null || request.password() == null || !setup.checkAdminPassword(request.password())) {
            throttle.failed(client);
            return ApiError.response(401, "This is not the admin passphrase.", "password");
        }
        if (twoFactor.enabled()) {
            if (request.code() == null || request.code().isBlank()) {
                return ApiError.response(401, "Enter the 6-digit code from your authenticator app, or a recovery code.", "code");
            }
            if (!twoFactor.verify(request.code())) {
                throttle.failed(client);
                return ApiError.response(401, "This code is not right or was already used. Codes change every 30 seconds.", "code");
            }
        }
        throttle.succeeded(client);
        AdminSessions.Session session = sessions.create();
        return Response.ok(info(session.csrf()))
                .header(HttpHeaders.SET_COOKIE, cookie(session.id(), http.isSSL(), -1)).build();
    }

    @POST
    @Path("logout")
    public Response logout(@CookieParam(AdminSessions.COOKIE) String sessionId, @Context HttpServerRequest http) {
        sessions.end(sessionId);
        return Response.noContent().header(HttpHeaders.SET_COOKIE, cookie("", http.isSSL(), 0)).build();
    }

    /**
     * Changes the admin passphrase: the current one is required (a wrong one counts as a failed login), the new one
     * follows the wizard's rules; every other session ends.
     */
    @POST
    @Path("passphrase")
    public Response changePassphrase(PassphraseChange request, @CookieParam(AdminSessions.COOKIE) String sessionId,
                                     @Context HttpServerRequest http) {
        String client = http.remoteAddress().hostAddress();
        long wait = throttle.retryAfterSeconds(client);
        if (wait > 0) {
            return AdminGate.tooManyAttempts(wait, "current");
        }
        if (request == null || request.current() == null || !setup.checkAdminPassword(request.current())) {
            throttle.failed(client);
            return ApiError.response(400, "This is not the current admin passphrase.", "current");
        }
        if (request.passphrase() != null && request.passphrase().equals(request.current())) {
            return ApiError.response(400, "The new passphrase is the current one.", "passphrase");
        }
        setup.changeAdminPassword("passphrase", request.passphrase());
        sessions.endAllBut(sessionId == null ? "" : sessionId);
        return Response.noContent().build();
    }

    @GET
    @Path("settings")
    public AccessSettings accessSettings() {
        return new AccessSettings(access.lanOnly());
    }

    /** {@code lanOnly}: serve the admin page only to the local network (the call itself must come from there to turn it back on). */
    @jakarta.ws.rs.PUT
    @Path("settings")
    public AccessSettings changeAccessSettings(AccessSettings request) {
        if (request == null || request.lanOnly() == null) {
            throw new org.mailkeep.box.InvalidInput("lanOnly", "a JSON body with lanOnly true or false is required");
        }
        access.lanOnly(request.lanOnly());
        return accessSettings();
    }

    /** The signed-in session's CSRF token and 2FA state (the page reads it after a reload). */
    @GET
    @Path("session")
    public SessionInfo session(@CookieParam(AdminSessions.COOKIE) String sessionId) {
        return info(sessions.touch(sessionId).map(AdminSessions.Session::csrf).orElse(null));
    }

    /** Starts 2FA enrolment: a new secret and its otpauth URI (the page shows it as a QR code). */
    @POST
    @Path("2fa")
    public TwoFactor.Enrolment beginTwoFactor() {
        if (twoFactor.enabled()) {
            throw new org.mailkeep.box.ConflictException("two-factor login is already on; turn it off first");
        }
        return twoFactor.begin(setup.hostname().orElse("mailkeep"));
    }

    /** Confirms enrolment with a code from the app; answers the recovery codes, shown this once. */
    @POST
    @Path("2fa/confirm")
    public Response confirmTwoFactor(CodeRequest request) {
        return twoFactor.confirm(request == null ? null : request.code())
                .map(codes -> Response.ok(Map.<String, List<String>>of("recoveryCodes", codes)).build())
                .orElseGet(() -> ApiError.response(400, "This code does not match. Check the phone's clock and scan the code again.", "code"));
    }

    /** Turns 2FA off; needs a current code (or a recovery code) so a stolen session alone cannot. */
    @POST
    @Path("2fa/disable")
    public Response disableTwoFactor(CodeRequest request) {
        if (!twoFactor.enabled()) {
            return Response.noContent().build();
        }
        if (request == null || !twoFactor.verify(request.code())) {
            return ApiError.response(400, "This code is not right or was already used.", "code");
        }
        twoFactor.disable();
        return Response.noContent().build();
    }

    private SessionInfo info(String csrf) {
        boolean on = twoFactor.enabled();
        return new SessionInfo(csrf, on, on ? twoFactor.recoveryCodesLeft() : 0, sessions.idle().toSeconds(),
                setup.domain().orElse(null), setup.hostname().orElse(null));
    }

    /** The session cookie (RFC 6265 §4.1); Max-Age 0 deletes it. */
    static String cookie(String value, boolean secure, int maxAge) {
        return AdminSessions.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
                + (maxAge >= 0 ? "; Max-Age=" + maxAge : "");
    }
}
