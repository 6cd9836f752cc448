package org.mailkeep.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.mailkeep.setup.SetupService;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * Guards /api/*: before setup only the calls that claim or restore the box answer; after setup every call
 * needs the admin credentials as HTTP Basic ({@code admin:<password>}).
 */
public class AdminAuthFilter {

    /** Calls open before setup completes (docs/interface.md "First boot"). */
    static final Set<String> OPEN_BEFORE_SETUP = Set.of("GET /api/status", "POST /api/setup", "GET /api/restore", "POST /api/restore");
    /** Calls open at any time. */
    static final Set<String> ALWAYS_OPEN = Set.of("GET /api/status");

    private final SetupService setup;

    public AdminAuthFilter(SetupService setup) {
        this.setup = setup;
    }

    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext request) {
        String path = "/" + request.getUriInfo().getPath().replaceAll("^/+", "");
        if (!path.startsWith("/api/")) {
            return Optional.empty();
        }
        String call = request.getMethod() + " " + path;
        if (ALWAYS_OPEN.contains(call)) {
            return Optional.empty();
        }
        if (!setup.isComplete()) {
            return OPEN_BEFORE_SETUP.contains(call)
                    ? Optional.empty()
                    : Optional.of(ApiError.response(403, "MailKeep is not set up yet: complete POST /api/setup first"));
        }
        if (call.equals("POST /api/setup")) {
            return Optional.empty(); // answers 409 itself
        }
        if (isAdmin(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            return Optional.empty();
        }
        return Optional.of(Response.fromResponse(ApiError.response(401, "admin credentials required"))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"MailKeep\", charset=\"UTF-8\"").build());
    }

    private boolean isAdmin(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon > 0 && decoded.substring(0, colon).equals("admin") && setup.checkAdminPassword(decoded.substring(colon + 1));
    }
}
