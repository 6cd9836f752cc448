package org.mailkeep.dns;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Network self-checks on loopback only: echo endpoints started here, the BIND peer's zen.test list
 * (which lists 127.0.0.2, RFC 5782 §5) as the policy blocklist, the Postfix peer on 2525 as the port 25 probe.
 */
class NetworkCheckerTest {

    static HttpServer echo;

    @BeforeAll
    static void startEcho() throws IOException {
        echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        reply("/v4", "127.0.0.2\n");
        reply("/v6", "2001:db8::25");
        reply("/junk", "<html>not an address</html>");
        echo.start();
    }

    static void reply(String path, String body) {
        echo.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    @AfterAll
    static void stopEcho() {
        echo.stop(0);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + echo.getAddress().getPort() + path;
    }

    record Config(List<String> v4, List<String> v6, List<String> port25, List<String> blocklists) implements NetcheckConfig {
        public Optional<List<String>> ipv4Echo() { return Optional.of(v4); }
        public Optional<List<String>> ipv6Echo() { return Optional.of(v6); }
        public Optional<List<String>> port25Probe() { return Optional.of(port25); }
        public Optional<List<String>> policyBlocklists() { return Optional.of(blocklists); }
        public Duration interval() { return Duration.ofMinutes(15); }
    }

    static NetworkChecker checker(Config config, NetworkStatus status) {
        return new NetworkChecker(config, new DnsjavaResolver(List.of("127.0.0.1:5353")), status, null, null);
    }

    @Test
    void detectsAddressesBlocklistingPort25AndReverseDns() {
        NetworkChecker checker = checker(new Config(List.of(url("/junk"), url("/v4")), List.of(url("/v6")),
                List.of("127.0.0.1:2525"), List.of("zen.test")), new NetworkStatus());
        NetworkStatus.Snapshot s = checker.check("mail.example.test");
        assertThat(s.ipv4()).hasValue("127.0.0.2"); // the junk answer was skipped
        assertThat(s.ipv6()).hasValue("2001:db8:0:0:0:0:0:25");
        assertThat(s.addressSource()).isEqualTo("echo");
        assertThat(s.blocklistedOn()).containsExactly("zen.test");
        assertThat(s.port25()).isEqualTo(NetworkStatus.Reachability.REACHABLE);
        assertThat(s.reverseDns()).isEmpty(); // no PTR for 127.0.0.2 in the test DNS
        assertThat(s.reverseDnsMatches()).hasValue(false);
    }

    @Test
    void closedPort25IsBlockedAndUnlistedAddressIsClean() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free port, closed once we leave: connections are refused
        }
        NetworkStatus.Snapshot s = checker(new Config(List.of(url("/v6")), List.of(), List.of("127.0.0.1:" + closed), List.of("zen.test")),
                new NetworkStatus()).check(null);
        assertThat(s.ipv4()).isEmpty(); // an IPv6 answer is not an IPv4 address
        assertThat(s.port25()).isEqualTo(NetworkStatus.Reachability.BLOCKED);
        assertThat(s.blocklistedOn()).isEmpty();
        assertThat(s.reverseDnsMatches()).isEmpty();
    }

    @Test
    void fallsBackToTheAddressTheDdnsProviderReported() {
        NetworkStatus status = new NetworkStatus();
        status.ddnsReported("127.0.0.3");
        NetworkStatus.Snapshot s = checker(new Config(List.of("http://127.0.0.1:9/none"), List.of(), List.of(), List.of("zen.test")), status)
                .check("mail.example.test");
        assertThat(s.ipv4()).hasValue("127.0.0.3");
        assertThat(s.addressSource()).isEqualTo("ddns");
        assertThat(s.blocklistedOn()).isEmpty();
        assertThat(s.port25()).isEqualTo(NetworkStatus.Reachability.UNKNOWN);
    }
}
