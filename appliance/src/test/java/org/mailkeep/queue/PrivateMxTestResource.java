package org.mailkeep.queue;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The outbound appliance with a remote MX of its own: a private Postfix (example.net) that offers neither
 * 8BITMIME nor SMTPUTF8, on a free port that becomes {@code mailkeep.outbound.port}. The network self-check
 * asks an echo endpoint started here for our public IP ({@link #publicIp}, changed by the test) and looks it
 * up in the BIND peer's zen.test list, which lists 127.0.0.2 (RFC 5782 §5).
 */
public class PrivateMxTestResource extends OutboundTestResource {

    static PrivateMx.Instance mx;
    static volatile String publicIp = "192.0.2.44";
    private HttpServer echo;

    @Override
    public Map<String, String> start() {
        try {
            mx = PrivateMx.start("example.net", "smtpd_discard_ehlo_keywords = 8bitmime\nsmtputf8_enable = no\n");
            echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        echo.createContext("/ip", exchange -> {
            byte[] body = publicIp.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        echo.start();
        Map<String, String> config = new java.util.HashMap<>(super.start());
        config.put("mailkeep.outbound.port", Integer.toString(mx.port()));
        config.put("mailkeep.netcheck.ipv4-echo", "http://127.0.0.1:" + echo.getAddress().getPort() + "/ip");
        config.put("mailkeep.netcheck.policy-blocklists", "zen.test");
        return config;
    }

    @Override
    public void stop() {
        echo.stop(0);
        try {
            PrivateMx.stop(mx);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
