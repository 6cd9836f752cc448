package org.mailkeep.dns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A minimal dyndns2 server on loopback, implementing the protocol as providers document it
 * (GET /nic/update?hostname=&myip= with Basic auth; one answer line): good/nochg with the address,
 * badauth, notfqdn, nohost, abuse (for a host the provider has blocked), 911 (for a host whose update
 * the provider cannot process). A protocol fixture: it knows nothing of MailKeep's code.
 */
final class DynDns2Fixture implements AutoCloseable {

    private final HttpServer server;
    private final String user;
    private final String password;
    private final Set<String> abused;
    private final Set<String> broken;
    final Map<String, String> addresses = new ConcurrentHashMap<>();

    DynDns2Fixture(String user, String password, Set<String> hosts, Set<String> abused, Set<String> broken) throws IOException {
        this.user = user;
        this.password = password;
        this.abused = abused;
        this.broken = broken;
        hosts.forEach(h -> addresses.put(h, ""));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/nic/update", this::update);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/nic/update";
    }

    private void update(HttpExchange exchange) throws IOException {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        String hostname = query.getOrDefault("hostname", "");
        String ip = query.getOrDefault("myip", exchange.getRemoteAddress().getAddress().getHostAddress());
        String answer;
        if (!expected.equals(auth)) {
            answer = "badauth";
        } else if (!hostname.contains(".")) {
            answer = "notfqdn";
        } else if (!addresses.containsKey(hostname)) {
            answer = "nohost";
        } else if (abused.contains(hostname)) {
            answer = "abuse";
        } else if (broken.contains(hostname)) {
            answer = "911";
        } else if (ip.equals(addresses.get(hostname))) {
            answer = "nochg " + ip;
        } else {
            addresses.put(hostname, ip);
            answer = "good " + ip;
        }
        byte[] body = answer.getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
