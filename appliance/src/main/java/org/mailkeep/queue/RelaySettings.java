package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Address;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The smarthost and the routing mode. Everything except the credentials is in {@link Settings} (so in every
 * backup); the user name and password live in {@code relay-credentials} with mode 0600, are never logged
 * and never returned by the API ({@link Relay#toString()} leaves them out too).
 */
@ApplicationScoped
public class RelaySettings {

    public enum Mode { DIRECT, RELAY, FALLBACK }

    public enum TlsMode { STARTTLS, IMPLICIT }

    public enum Route { DIRECT, RELAY }

    /** A configured relay. {@code caPem} is an extra CA trusted for this relay only (a self-hosted smarthost). */
    public record Relay(String host, int port, TlsMode tls, String username, String password, String spfInclude, String caPem) {
        public boolean hasCredentials() {
            return username != null && !username.isEmpty();
        }

        @Override
        public String toString() {
            return "Relay[" + host + ":" + port + " " + tls + (hasCredentials() ? " with credentials" : "") + "]";
        }
    }

    private final Settings settings;
    private final DataDirectory dirs;

    public RelaySettings(Settings settings, DataDirectory dirs) {
        this.settings = settings;
        this.dirs = dirs;
    }

    public Mode mode() {
        return settings.get("relay.mode").filter(m -> !m.isEmpty()).map(m -> Mode.valueOf(m.toUpperCase(Locale.ROOT))).orElse(Mode.FALLBACK);
    }

    public Optional<Relay> relay() {
        Optional<String> host = settings.get("relay.host").filter(h -> !h.isEmpty());
        if (host.isEmpty()) {
            return Optional.empty();
        }
        String[] credentials = readCredentials();
        return Optional.of(new Relay(host.get(), Integer.parseInt(settings.get("relay.port").orElse("587")),
                TlsMode.valueOf(settings.get("relay.tls").orElse("STARTTLS")), credentials[0], credentials[1],
                settings.get("relay.spf-include").filter(s -> !s.isEmpty()).orElse(null),
                settings.get("relay.ca-pem").filter(s -> !s.isEmpty()).orElse(null)));
    }

    /** Per-destination rules: domain → route, e.g. outlook.com → RELAY. */
    public Map<String, Route> rules() {
        Map<String, Route> rules = new LinkedHashMap<>();
        for (String rule : settings.get("relay.rules").orElse("").split(",")) {
            int eq = rule.indexOf('=');
            if (eq > 0) {
                rules.put(rule.substring(0, eq), Route.valueOf(rule.substring(eq + 1)));
            }
        }
        return rules;
    }

    /** The rule for a destination domain or its closest parent domain. */
    public Optional<Route> ruleFor(String domain) {
        Map<String, Route> rules = rules();
        for (String d = domain; d.contains("."); d = d.substring(d.indexOf('.') + 1)) {
            if (rules.containsKey(d)) {
                return Optional.of(rules.get(d));
            }
        }
        return Optional.empty();
    }

    /**
     * Saves the settings. A null {@code password} keeps the stored one (the API never shows it, so a form
     * that does not change it sends none). Validates first: nothing is saved when a field is wrong.
     */
    public synchronized void save(Mode mode, Relay relay, Map<String, Route> rules) {
        for (String domain : rules.keySet()) {
            if (Address.normalizeDomain(domain).filter(domain::equals).isEmpty()) {
                throw new IllegalArgumentException("rules: not a lower-case domain name: " + domain);
            }
        }
        if (relay != null) {
            settings.put("relay.host", relay.host());
            settings.put("relay.port", Integer.toString(relay.port()));
            settings.put("relay.tls", relay.tls().name());
            settings.put("relay.spf-include", relay.spfInclude() == null ? "" : relay.spfInclude());
            settings.put("relay.ca-pem", relay.caPem() == null ? "" : relay.caPem());
            String password = relay.password() != null ? relay.password() : readCredentials()[1];
            writeCredentials(relay.username() == null ? "" : relay.username(), password == null ? "" : password);
        } else {
            settings.put("relay.host", "");
            writeCredentials("", "");
        }
        settings.put("relay.mode", mode.name());
        StringBuilder text = new StringBuilder();
        rules.forEach((d, r) -> text.append(text.length() == 0 ? "" : ",").append(d).append('=').append(r.name()));
        settings.put("relay.rules", text.toString());
    }

    private String[] readCredentials() {
        Path file = dirs.relayCredentials();
        try {
            if (!Files.exists(file)) {
                return new String[] {null, null};
            }
            String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n", -1);
            return new String[] {lines[0].isEmpty() ? null : lines[0], lines.length > 1 && !lines[1].isEmpty() ? lines[1] : null};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void writeCredentials(String username, String password) {
        if (username.contains("\n") || password.contains("\n")) {
            throw new IllegalArgumentException("credentials must not contain line breaks");
        }
        Path file = dirs.relayCredentials();
        try {
            DataDirectory.writeSecret(file, (username + "\n" + password + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
