package org.mailkeep.dns;

import java.util.Base64;
import java.util.Locale;

/**
 * How the box keeps its address records current (PUT /api/ddns/settings). {@code method} is "off",
 * "rfc2136" (server, zone, key*, ttl) or "dyndns2" (provider, url for "custom", username, password,
 * hostname). Secrets ({@code keySecret}, {@code password}) are never returned by the API.
 */
public record DdnsSettings(String method, String server, String zone, String keyName, String keyAlgorithm, String keySecret,
                           Integer ttl, String provider, String url, String username, String password, String hostname) {

    public static final int MIN_TTL = 60;
    public static final int MAX_TTL = 300;
    public static final DdnsSettings OFF = new DdnsSettings("off", null, null, null, null, null, null, null, null, null, null, null);

    /** A field the user got wrong. */
    public static class Invalid extends RuntimeException {
        public final String field;

        Invalid(String field, String message) {
            super(message);
            this.field = field;
        }
    }

    public String methodOrOff() {
        return method == null ? "off" : method.toLowerCase(Locale.ROOT);
    }

    public int ttlOrDefault() {
        return ttl == null ? 120 : ttl;
    }

    /** Keeps the stored secrets when an update leaves them out, so the UI need not send them back. */
    DdnsSettings withSecretsFrom(DdnsSettings old) {
        return new DdnsSettings(method, server, zone, keyName, keyAlgorithm, keySecret == null ? old.keySecret : keySecret, ttl,
                provider, url, username, password == null ? old.password : password, hostname);
    }

    DdnsSettings withoutSecrets() {
        return new DdnsSettings(method, server, zone, keyName, keyAlgorithm, null, ttl, provider, url, username, null, hostname);
    }

    /** Checks every field the chosen method needs; throws {@link Invalid} naming the first bad one. */
    DdnsSettings validated() {
        switch (methodOrOff()) {
            case "off":
                return OFF;
            case "rfc2136":
                require("server", server);
                require("zone", zone);
                require("keyName", keyName);
                require("keySecret", keySecret);
                try {
                    Base64.getDecoder().decode(keySecret.trim());
                } catch (IllegalArgumentException e) {
                    throw new Invalid("keySecret", "the TSIG secret must be base64, as tsig-keygen prints it");
                }
                if (keyAlgorithm != null && !keyAlgorithm.equalsIgnoreCase("hmac-sha256") && !keyAlgorithm.equalsIgnoreCase("hmac-sha512")) {
                    throw new Invalid("keyAlgorithm", "use hmac-sha256 (or hmac-sha512)");
                }
                try {
                    DnsjavaResolver.parse(server.trim());
                } catch (RuntimeException e) {
                    throw new Invalid("server", "use host or host:port of the primary DNS server");
                }
                break;
            case "dyndns2":
                DynDns2Provider preset = DynDns2Provider.byId(provider)
                        .orElseThrow(() -> new Invalid("provider", "choose one of dyn, noip, dynu, ovh, strato, custom"));
                if (preset == DynDns2Provider.CUSTOM && (url == null || !(url.startsWith("https://") || url.startsWith("http://")))) {
                    throw new Invalid("url", "give the provider's dyndns2 update URL (https://.../nic/update)");
                }
                require("username", username);
                require("password", password);
                break;
            default:
                throw new Invalid("method", "method is off, rfc2136 or dyndns2");
        }
        if (ttl != null && (ttl < MIN_TTL || ttl > MAX_TTL)) {
            throw new Invalid("ttl", "the TTL must be between " + MIN_TTL + " and " + MAX_TTL + " seconds: short enough to follow a new IP, long enough for caches");
        }
        return this;
    }

    /** The update URL: the preset's, or the user's for "custom". */
    String dyndns2Url() {
        return DynDns2Provider.byId(provider).flatMap(DynDns2Provider::url).orElse(url);
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new Invalid(field, field + " is required");
        }
    }
}
