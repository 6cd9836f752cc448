package org.mailkeep.dns;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * The dyndns2 update protocol (the de-facto standard of DynDNS, No-IP, Dynu, OVH, Strato, ...): an HTTP GET
 * of {@code <url>?hostname=<host>&myip=<ip>} with Basic credentials, answered by one line per host:
 * {@code good <ip>}, {@code nochg <ip>}, or an error code. Written by hand because it is one request and a
 * one-line answer; no maintained Java library exists for it.
 */
public final class DynDns2Client {

    /** The documented return codes and what a client must do about each. */
    public enum Code {
        GOOD(true, false), NOCHG(true, false),
        BADAUTH(false, true), NOTFQDN(false, true), NOHOST(false, true), NUMHOST(false, true),
        ABUSE(false, true), BADAGENT(false, true), NOT_DONATOR(false, true),
        DNSERR(false, false), SERVER_ERROR(false, false);

        /** The update is in place. */
        public final boolean success;
        /** The protocol forbids automatic retries: only a change of settings by the user may try again. */
        public final boolean needsUser;

        Code(boolean success, boolean needsUser) {
            this.success = success;
            this.needsUser = needsUser;
        }

        static Code parse(String word) {
            return switch (word.toLowerCase(Locale.ROOT)) {
                case "good" -> GOOD;
                case "nochg" -> NOCHG;
                case "badauth" -> BADAUTH;
                case "notfqdn" -> NOTFQDN;
                case "nohost" -> NOHOST;
                case "numhost" -> NUMHOST;
                case "abuse" -> ABUSE;
                case "badagent" -> BADAGENT;
                case "!donator" -> NOT_DONATOR;
                case "dnserr" -> DNSERR;
                case "911" -> SERVER_ERROR;
                default -> null;
            };
        }
    }

    /** The provider's answer: its code, and the address it now has for the host (good/nochg), or the raw line. */
    public record Result(Code code, String address, String line) {
    }

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String USER_AGENT = "MailKeep - dyndns2 client - 0.1";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /**
     * Sends one update.
     *
     * @throws IOException when the provider cannot be reached or answers something that is not dyndns2
     */
    public Result update(String url, String username, String password, String hostname, String ip) throws IOException {
        String query = "hostname=" + URLEncoder.encode(hostname, StandardCharsets.UTF_8)
                + (ip == null ? "" : "&myip=" + URLEncoder.encode(ip, StandardCharsets.UTF_8));
        URI uri = URI.create(url + (url.contains("?") ? "&" : "?") + query);
        String credentials = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET()
                .header("Authorization", "Basic " + credentials)
                .header("User-Agent", USER_AGENT)
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String body = response.body().strip();
        String line = body.isEmpty() ? "" : body.lines().findFirst().orElse("").strip();
        String[] words = line.split("\\s+", 2);
        Code code = Code.parse(words[0]);
        if (code == null) {
            // Some providers answer a bad password with a bare 401 and no dyndns2 body.
            if (response.statusCode() == 401) {
                return new Result(Code.BADAUTH, null, "HTTP 401");
            }
            throw new IOException("not a dyndns2 answer from " + uri.getHost() + " (HTTP " + response.statusCode() + "): " + abbreviate(line));
        }
        return new Result(code, words.length > 1 && code.success ? words[1].strip() : null, line);
    }

    private static String abbreviate(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
