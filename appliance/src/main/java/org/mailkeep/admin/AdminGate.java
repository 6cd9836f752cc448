package org.mailkeep.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.mailkeep.box.ApiError;
import org.mailkeep.setup.SetupService;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a request to the admin API comes from the admin: a live session cookie (with the CSRF header
 * on every state-changing call), a bearer API token ({@link ApiTokens}; made in a signed-in session, so also with
 * 2FA on), or HTTP Basic for scripts while 2FA is off (with 2FA on, Basic would bypass the second factor, so it is
 * refused). Failed Basic logins and unknown tokens count against the client in {@link LoginThrottle}.
 */
@ApplicationScoped
public class AdminGate {

    /** Methods that change nothing (RFC 9110 §9.2.1): no CSRF token needed. */
    static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    /** The UI sets this header on its calls; a 401 without it carries WWW-Authenticate for scripts and curl. */
    public static final String UI_HEADER = "X-Requested-With";
    public static final String COOKIE = AdminSessions.COOKIE;
    public static final String CSRF_HEADER = AdminSessions.CSRF_HEADER;

    private final AdminSessions sessions;
    private final TwoFactor twoFactor;
    private final LoginThrottle throttle;
    private final SetupService setup;
    private final ApiTokens tokens;

    public AdminGate(AdminSessions sessions, TwoFactor twoFactor, LoginThrottle throttle, SetupService setup, ApiTokens tokens) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.twoFactor = twoFactor;
        this.throttle = throttle;
        this.setup = setup;
    }

    /** What the gate looks at in a request: method, session cookie, Authorization, CSRF header, whether the UI sent it, client IP. */
    public record Attempt(String method, String sessionCookie, String authorization, String csrf, boolean fromUi, String client) {
    }

    /**
     * The gate's answer: {@code refusal} to send, or null when the request may go on as {@code actor} ("admin",
     * "admin(2fa)" for a session signed in with a second factor, "token:NAME").
     */
    public record Decision(Response refusal, String actor) {
        static Decision allow(String actor) {
            return new Decision(null, actor);
        }

        static Decision refuse(Response refusal) {
            return new Decision(refusal, null);
        }
    }

    public Decision authorize(Attempt attempt) {
        String method = attempt.method();
        String client = attempt.client();
        Optional<AdminSessions.Session> session = sessions.touch(attempt.sessionCookie());
        if (session.isPresent()) {
            if (SAFE_METHODS.contains(method) || AdminSessions.csrfMatches(session.get(), attempt.csrf())) {
                return Decision.allow(twoFactor.enabled() ? "admin(2fa)" : "admin");
            }
            return Decision.refuse(ApiError.response(403, "The page's security token is missing or out of date: reload the page."));
        }
        String authorization = attempt.authorization();
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            long wait = throttle.retryAfterSeconds(client);
            if (wait > 0) {
                return Decision.refuse(tooManyAttempts(wait, null));
            }
            Optional<String> token = tokens.authenticate(authorization.substring(7));
            if (token.isPresent()) {
                throttle.succeeded(client);
                return Decision.allow("token:" + token.get());
            }
            throttle.failed(client);
            // RFC 6750 §3: a refused bearer token is answered with a Bearer challenge
            return Decision.refuse(Response.fromResponse(ApiError.response(401, "this API token is not valid (revoked?)"))
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"MailKeep\", error=\"invalid_token\"").build());
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (twoFactor.enabled()) {
                return Decision.refuse(ApiError.response(401, "two-factor login is on: sign in through the admin page, or use an API token"));
            }
            long wait = throttle.retryAfterSeconds(client);
            if (wait > 0) {
                return Decision.refuse(tooManyAttempts(wait, null));
            }
            if (basicPasswordMatches(authorization)) {
                throttle.succeeded(client);
                return Decision.allow("admin");
            }
            throttle.failed(client);
        }
        String message = attempt.sessionCookie() != null ? "Your admin session has ended: sign in again." : "admin credentials required";
        Response.ResponseBuilder refusal = Response.fromResponse(ApiError.response(401, message));
        if (!attempt.fromUi()) {
            refusal.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"MailKeep\", charset=\"UTF-8\"");
        }
        return Decision.refuse(refusal.build());
    }

    private boolean basicPasswordMatches(String authorization) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon > 0 && decoded.substring(0, colon).equals("admin") && setup.checkAdminPassword(decoded.substring(colon + 1));
    }

    /**
     * Checks a one-time secret a client presents (setup token, button claim, the token of a restore before setup):
     * null when {@code matches}; a 429 while the client has guessed too often (not even compared), else 403 at
     * {@code field}, counted in the same {@link LoginThrottle} as the admin login.
     */
    public Response checkSecret(String client, String field, java.util.function.BooleanSupplier matches, String refusal) {
        long wait = throttle.retryAfterSeconds(client);
        if (wait > 0) {
            return tooManyAttempts(wait, field);
        }
        if (!matches.getAsBoolean()) {
            throttle.failed(client);
            return ApiError.response(403, refusal, field);
        }
        return null;
    }

    /** {@link #checkSecret} for the setup token (field {@code token}): POST /api/setup, /api/setup/claim and /api/restore before setup. */
    public Response checkSetupToken(String client, String token) {
        return checkSecret(client, "token", () -> setup.tokenMatches(token),
                "The setup token is not right. It is in the file mailkeep-setup.txt on the SD card.");
    }

    /** 429 with Retry-After (RFC 6585 §4). */
    public static Response tooManyAttempts(long seconds, String field) {
        return Response.fromResponse(ApiError.response(429,
                "Too many wrong attempts. Wait " + seconds + " seconds, then try again.", field))
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds)).build();
    }
}
