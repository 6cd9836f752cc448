package org.mailkeep.tls;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.BindPeer;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A loopback "what is my IP" echo endpoint (answers 127.0.0.1, the address every test name points at) for
 * the network check and DDNS, and a Pebble ACME server of this test's own, so that its HTTP-01 validation port is the appliance's HTTP port
 * of this run (the shared Pebble validates on 5002) and its DNS is the BIND peer, where the appliance's
 * RFC 2136 updater publishes DNS-01 records. Uses the peers' TLS certificate for Pebble's own HTTPS.
 */
public class PebbleTestResource implements QuarkusTestResourceLifecycleManager {

    static final Path PEERS_CERT = Path.of("/tmp/mailkeep-peers/tls.crt");
    static final Path PEERS_KEY = Path.of("/tmp/mailkeep-peers/tls.key");
    static int acmePort;
    static int managementPort;
    static int httpPort;
    static int httpsPort;
    private Process pebble;
    private Path dir;
    private HttpServer echo;

    @Override
    public Map<String, String> start() {
        acmePort = ApplianceTestResource.freePort();
        managementPort = ApplianceTestResource.freePort();
        httpPort = ApplianceTestResource.freePort();
        httpsPort = ApplianceTestResource.freePort();
        try {
            dir = Files.createTempDirectory("mailkeep-pebble-");
            Path config = dir.resolve("pebble.json");
            Files.writeString(config, """
                    {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                      "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
                      "ocspResponderURL": "", "externalAccountBindingRequired": false}}
                    """.formatted(acmePort, managementPort, PEERS_CERT, PEERS_KEY, httpPort, ApplianceTestResource.freePort()));
            ProcessBuilder pb = new ProcessBuilder("pebble", "-config", config.toString(), "-dnsserver", BindPeer.SERVER)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
            pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
            pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
            pb.environment().put("PEBBLE_AUTHZREUSE", "0"); // every order proves control again, by the challenge under test
            pebble = pb.start();
            waitForPort(acmePort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        echo.createContext("/", exchange -> {
            byte[] body = "127.0.0.1\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        echo.start();
        Map<String, String> config = new HashMap<>();
        config.put("mailkeep.netcheck.ipv4-echo", "http://127.0.0.1:" + echo.getAddress().getPort() + "/");
        config.put("quarkus.http.test-port", Integer.toString(httpPort));
        config.put("quarkus.http.test-ssl-port", Integer.toString(httpsPort));
        config.put("mailkeep.acme.directory", "https://127.0.0.1:" + acmePort + "/dir");
        config.put("mailkeep.acme.trust-cert", PEERS_CERT.toString());
        config.put("mailkeep.dns.servers", BindPeer.SERVER);
        return config;
    }

    private static void waitForPort(int port) throws IOException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
        throw new IOException("pebble did not start on port " + port);
    }

    @Override
    public void stop() {
        if (pebble != null) {
            pebble.destroy();
        }
        if (echo != null) {
            echo.stop(0);
        }
    }
}
