package org.mailkeep.queue;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.box.InvalidInput;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.store.Address;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The relay (smarthost) API (docs/interface.md "Relay"). The password is write-only: GET answers
 * {@code passwordSet} instead, and a PUT without {@code password} keeps the stored one.
 */
@Path("/api/relay")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class RelayResource {

    public record Rule(String domain, String route) {
    }

    public record Request(String mode, String host, Integer port, String tls, String username, String password, String spfInclude,
                          String caPem, List<Rule> rules) {
    }

    public record FallbackState(boolean active, Long since, String trigger, String evidence) {
    }

    public record View(String mode, String host, Integer port, String tls, String username, boolean passwordSet, String spfInclude,
                       boolean caPemSet, List<Rule> rules, FallbackState fallback, String relayProblem, List<Fallback.Event> events) {
    }

    private final RelaySettings settings;
    private final Fallback fallback;
    private final SmtpDelivery smtp;
    private final BoxIdentity setup;

    public RelayResource(RelaySettings settings, Fallback fallback, SmtpDelivery smtp, BoxIdentity setup) {
        this.settings = settings;
        this.fallback = fallback;
        this.smtp = smtp;
        this.setup = setup;
    }

    @GET
    public View get() {
        var relay = settings.relay();
        List<Rule> rules = new ArrayList<>();
        settings.rules().forEach((d, r) -> rules.add(new Rule(d, r.name().toLowerCase(Locale.ROOT))));
        FallbackState state = fallback.state()
                .map(s -> new FallbackState(true, s.since(), s.trigger().description, s.evidence()))
                .orElse(new FallbackState(false, null, null, null));
        return new View(settings.mode().name().toLowerCase(Locale.ROOT), relay.map(RelaySettings.Relay::host).orElse(null),
                relay.map(RelaySettings.Relay::port).orElse(null), relay.map(r -> r.tls().name().toLowerCase(Locale.ROOT)).orElse(null),
                relay.map(RelaySettings.Relay::username).orElse(null), relay.map(r -> r.password() != null).orElse(false),
                relay.map(RelaySettings.Relay::spfInclude).orElse(null), relay.map(r -> r.caPem() != null).orElse(false),
                rules, state, fallback.relayProblem().orElse(null), fallback.recentEvents(20));
    }

    @PUT
    public View put(Request request) {
        if (request == null) {
            throw new InvalidInput("host", "a JSON body is required");
        }
        RelaySettings.Mode mode = enumOf(RelaySettings.Mode.class, "mode", request.mode() == null ? "fallback" : request.mode());
        RelaySettings.Relay relay = relayOf(request);
        if (relay == null && mode != RelaySettings.Mode.DIRECT) {
            throw new InvalidInput("host", "mode " + mode.name().toLowerCase(Locale.ROOT) + " needs a relay host");
        }
        Map<String, RelaySettings.Route> rules = new LinkedHashMap<>();
        for (Rule rule : request.rules() == null ? List.<Rule>of() : request.rules()) {
            String domain = Address.normalizeDomain(rule.domain()).orElseThrow(() -> new InvalidInput("rules", "not a domain: " + rule.domain()));
            rules.put(domain, enumOf(RelaySettings.Route.class, "rules", rule.route() == null ? "relay" : rule.route()));
        }
        try {
            settings.save(mode, relay, rules);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("username", e.getMessage());
        }
        fallback.relayProblem("");
        return get();
    }

    /**
     * The "test" button: connects to the relay of the body (the fields of PUT; a missing password means the stored
     * one) with TLS, certificate check and AUTH as a delivery would, and reports how far it got. Saves nothing.
     */
    @POST
    @Path("test")
    public SmtpDelivery.RelayProbe test(Request request) {
        if (request == null) {
            throw new InvalidInput("host", "a JSON body is required");
        }
        RelaySettings.Relay relay = relayOf(request);
        if (relay == null) {
            throw new InvalidInput("host", "enter the relay's host name");
        }
        if (relay.password() == null) {
            String stored = settings.relay().map(RelaySettings.Relay::password).orElse(null);
            relay = new RelaySettings.Relay(relay.host(), relay.port(), relay.tls(), relay.username(), stored, relay.spfInclude(), relay.caPem());
        }
        return smtp.testRelay(relay, setup.hostname().orElse("localhost"));
    }

    /** The relay a PUT or test body describes, its fields checked; null when it names no host. */
    private static RelaySettings.Relay relayOf(Request request) {
        if (request.host() != null && !request.host().isBlank()) {
            String host = request.host().trim();
            if (!host.matches("[0-9.]+|[0-9a-fA-F:]+") && Address.normalizeDomain(host).isEmpty() && !host.equals("localhost")) {
                throw new InvalidInput("host", "not a host name or IP address: " + host);
            }
            RelaySettings.TlsMode tls = enumOf(RelaySettings.TlsMode.class, "tls", request.tls() == null ? "starttls" : request.tls());
            int port = request.port() == null ? (tls == RelaySettings.TlsMode.IMPLICIT ? 465 : 587) : request.port();
            if (port < 1 || port > 65535) {
                throw new InvalidInput("port", "port must be 1-65535");
            }
            if (request.spfInclude() != null && !request.spfInclude().isBlank() && Address.normalizeDomain(request.spfInclude()).isEmpty()) {
                throw new InvalidInput("spfInclude", "not a domain name: " + request.spfInclude());
            }
            if (request.caPem() != null && !request.caPem().isBlank() && !request.caPem().contains("-----BEGIN CERTIFICATE-----")) {
                throw new InvalidInput("caPem", "caPem must be PEM certificates");
            }
            return new RelaySettings.Relay(host, port, tls, blankToNull(request.username()), request.password(),
                    blankToNull(request.spfInclude()), blankToNull(request.caPem()));
        }
        return null;
    }

    /** Removes the relay and its credentials; mail then goes direct. */
    @DELETE
    public Response delete() {
        settings.save(RelaySettings.Mode.DIRECT, null, settings.rules().entrySet().stream()
                .filter(e -> e.getValue() == RelaySettings.Route.DIRECT)
                .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
        fallback.relayProblem("");
        return Response.noContent().build();
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String field, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(field, field + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
