package org.mailkeep.tls;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers ACME HTTP-01 challenges (RFC 8555 §8.3) on the appliance's HTTP listener: the CA fetches
 * {@code http://<name>/.well-known/acme-challenge/<token>} and must get the key authorization. Tokens are
 * present only while their challenge is pending. The route is a plain Vert.x route: no admin login.
 */
@ApplicationScoped
public class Http01Responder {

    static final String PREFIX = "/.well-known/acme-challenge/";

    private final Map<String, String> pending = new ConcurrentHashMap<>();

    void routes(@Observes Router router) {
        router.get(PREFIX + ":token").handler(ctx -> {
            String authorization = pending.get(ctx.pathParam("token"));
            if (authorization == null) {
                ctx.response().setStatusCode(404).end();
                return;
            }
            ctx.response().putHeader("Content-Type", "application/octet-stream").end(authorization);
        });
    }

    void put(String token, String authorization) {
        pending.put(token, authorization);
    }

    void remove(String token) {
        pending.remove(token);
    }
}
