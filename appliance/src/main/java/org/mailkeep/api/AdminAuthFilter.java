package org.mailkeep.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.mailkeep.admin.AdminGate;
import org.mailkeep.admin.CrossSiteCheck;
import org.mailkeep.audit.AuditFilter;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.box.ApiError;

import java.util.Optional;
import java.util.Set;

/**
 * Guards /api/*: a state-changing call a browser sends from another site is refused first, whatever its credentials
 * ({@link CrossSiteCheck}); before setup only the calls that claim or restore the box answer; after setup every call
 * needs the admin, as a signed-in session, a bearer API token or HTTP Basic ({@link AdminGate}). Who the caller is
 * goes to the request property {@link AuditFilter#ACTOR} for the audit log.
 */
public class AdminAuthFilter {

    /** Calls open before setup completes (docs/interface.md "First boot"). */
    static final Set<String> OPEN_BEFORE_SETUP = Set.of("GET /api/status", "POST /api/setup", "POST /api/setup/claim", "GET /api/setup/claim",
            "GET /api/restore", "POST /api/restore");
    /** Calls open at any time (the ones after setup answer for themselves: 409, or a login). */
    static final Set<String> ALWAYS_OPEN = Set.of("GET /api/status", "POST /api/setup", "POST /api/setup/claim", "GET /api/setup/claim",
            "POST /api/admin/login");

    private final BoxIdentity setup;
    private final AdminGate gate;

    public AdminAuthFilter(BoxIdentity setup, AdminGate gate) {
        this.setup = setup;
        this.gate = gate;
    }

    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext request, HttpServerRequest http) {
        String path = "/" + request.getUriInfo().getPath().replaceAll("^/+", "");
        if (!path.startsWith("/api/")) {
            return Optional.empty();
        }
        Optional<String> crossSite = CrossSiteCheck.refusal(request.getMethod(), request.getHeaderString("Sec-Fetch-Site"),
                request.getHeaderString("Origin"), http.authority() == null ? null : http.authority().toString(), http.isSSL());
        if (crossSite.isPresent()) {
            return Optional.of(ApiError.response(403, crossSite.get()));
        }
        String call = request.getMethod() + " " + path;
        if (!setup.isComplete()) {
            if (!OPEN_BEFORE_SETUP.contains(call)) {
                return Optional.of(ApiError.response(403, "MailKeep is not set up yet: complete POST /api/setup first"));
            }
            request.setProperty(AuditFilter.ACTOR, "setup");
            return Optional.empty();
        }
        if (ALWAYS_OPEN.contains(call)) {
            if (call.equals("POST /api/admin/login")) {
                request.setProperty(AuditFilter.ACTOR, "admin");
            }
            return Optional.empty();
        }
        jakarta.ws.rs.core.Cookie cookie = request.getCookies().get(AdminGate.COOKIE);
        AdminGate.Decision decision = gate.authorize(new AdminGate.Attempt(request.getMethod(), cookie == null ? null : cookie.getValue(),
                request.getHeaderString(HttpHeaders.AUTHORIZATION), request.getHeaderString(AdminGate.CSRF_HEADER),
                request.getHeaderString(AdminGate.UI_HEADER) != null, http.remoteAddress().hostAddress()));
        if (decision.actor() != null) {
            request.setProperty(AuditFilter.ACTOR, decision.actor());
        }
        return Optional.ofNullable(decision.refusal());
    }
}
