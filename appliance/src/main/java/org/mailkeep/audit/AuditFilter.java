package org.mailkeep.audit;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Records in the {@link AuditLog} every /api call that can change something (POST, PUT, PATCH, DELETE), every
 * admin login through the login call, and every refused credential (HTTP Basic or bearer token) on any call.
 * The actor comes from the admin gate ({@link #ACTOR} request property); the summary from method and path only.
 */
public class AuditFilter {

    /** Request property the admin gate sets: "admin", "admin(2fa)", "token:NAME" or "setup". */
    public static final String ACTOR = "mailkeep.actor";
    static final String LOGIN = "/api/admin/login";
    private static final Set<String> CHANGES = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Map<String, String> VERBS = Map.of("POST", "created", "PUT", "changed", "PATCH", "changed", "DELETE", "deleted");

    private final AuditLog log;

    public AuditFilter(AuditLog log) {
        this.log = log;
    }

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response, HttpServerRequest http) {
        String path = "/" + request.getUriInfo().getPath().replaceAll("^/+", "");
        if (!path.startsWith("/api/")) {
            return;
        }
        String method = request.getMethod();
        int status = response.getStatus();
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        boolean refusedCredentials = authorization != null && (status == 401 || status == 429);
        if (!CHANGES.contains(method) && !refusedCredentials) {
            return;
        }
        Object actor = request.getProperty(ACTOR);
        log.record(actor == null ? "anonymous" : actor.toString(), http.remoteAddress().hostAddress(), method, path, status,
                summary(method, path, status));
    }

    /** E.g. "changed mailboxes/anna@example.org", "admin login failed". Paths carry no secrets (bodies are never read). */
    static String summary(String method, String path, int status) {
        boolean ok = status < 400;
        if (path.equals(LOGIN)) {
            return ok ? "admin login" : "admin login failed";
        }
        String what = URLDecoder.decode(path.substring("/api/".length()), StandardCharsets.UTF_8);
        String verb = VERBS.getOrDefault(method, method.toLowerCase(java.util.Locale.ROOT));
        if (what.startsWith("setup")) {
            verb = "ran";
        }
        return verb + " " + what + (ok ? "" : " (refused)");
    }
}
