package org.mailkeep.queue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.dkim.DkimKeys;
import org.mailkeep.dkim.DkimRecords;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.DkimTools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * Retry, expiry and the relay fallback against real peers. The outbound port is 2535, where a Postfix
 * refuses our IP with a Spamhaus-style 554 5.7.1 (example.net); closed.example.test's MX is 127.0.0.2,
 * where nothing listens (connection refused: "port 25 unreachable"). The relay is the Postfix submission
 * service on 2587 (STARTTLS + AUTH), which delivers into the same maildir as the MX peer.
 */
@QuarkusTest
@QuarkusTestResource(value = OutboundTestResource.class, restrictToAnnotatedClass = true,
        initArgs = {@ResourceArg(name = "port", value = "2535"), @ResourceArg(name = "lifetime", value = "45s"),
                @ResourceArg(name = "delay-notice", value = "4s"), @ResourceArg(name = "fallback-probe", value = "2s")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FallbackTest {

    static final String INBOX = "alice@example.test";

    @Inject
    OutboundQueue queue;
    @Inject
    MessageStore store;
    @Inject
    Database db;
    @Inject
    DkimKeys keys;
    @Inject
    DkimRecords records;
    @Inject
    SpfRecord spf;

    @BeforeAll
    static void closedDomainInBind() throws Exception {
        DkimTools.run(List.of("nsupdate", "-k", DkimTools.PEERS.resolve("bind/ddns.key").toString()),
                "server 127.0.0.1 5353\nzone example.test\nupdate add closed.example.test. 60 MX 10 closedmx.example.test.\n"
                        + "update add closedmx.example.test. 60 A 127.0.0.2\nsend\n");
    }

    static Map<String, Object> relay(String password) throws Exception {
        Map<String, Object> body = new HashMap<>();
        body.put("mode", "fallback");
        body.put("host", "127.0.0.1");
        body.put("port", 2587);
        body.put("tls", "starttls");
        body.put("username", "alice@example.test");
        body.put("password", password);
        body.put("spfInclude", "spf.relay.example.com");
        body.put("caPem", Files.readString(DkimTools.PEERS.resolve("tls.crt")));
        return body;
    }

    @Test
    @Order(1)
    void directModeRetriesWithBackoffThenSendsDelayAndExpiryNotices() throws Exception {
        OutboundMail.setUp();
        OutboundMail.admin().contentType(ContentType.JSON).body(Map.of("mode", "direct")).put("/api/relay").then().statusCode(200)
                .body("mode", equalTo("direct"));
        String marker = "expiry-" + System.nanoTime();
        OutboundMail.enqueue(store, queue, "dave@closed.example.test", marker);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> OutboundMail.admin().get("/api/queue").then().statusCode(200)
                .body("[0].recipients[0].status", equalTo("queued"))
                .body("[0].recipients[0].attempts", org.hamcrest.Matchers.greaterThanOrEqualTo(2))
                .body("[0].recipients[0].lastError", containsString("connection refused by closedmx.example.test[127.0.0.2]:2535"))
                .body("[0].recipients[0].route", equalTo("direct")));
        OutboundMail.admin().get("/api/status").then().body("health.checks.reason",
                hasItem(containsString("direct delivery fails: outbound port 25 unreachable")));
        await().atMost(Duration.ofSeconds(90)).until(() -> OutboundMail.inbox(db, store, INBOX).stream()
                .filter(m -> m.contains(marker)).count() == 2);
        List<String> notices = OutboundMail.inbox(db, store, INBOX).stream().filter(m -> m.contains(marker)).toList();
        assertThat(notices.get(0)).contains("Action: delayed").contains("Will-Retry-Until:").contains("Subject: Delayed Mail");
        assertThat(notices.get(1)).contains("Action: failed").contains("Status: 5.4.1").contains("gave up after")
                .contains("connection refused by closedmx.example.test");
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.pendingRecipients() == 0);
    }

    @Test
    @Order(2)
    void inDirectModeAReputationRefusalBouncesWithTheRemotesText() throws Exception {
        String marker = "reject-" + System.nanoTime();
        OutboundMail.enqueue(store, queue, "erin@example.net", marker);
        await().atMost(Duration.ofSeconds(20)).until(() -> OutboundMail.inbox(db, store, INBOX).stream()
                .anyMatch(m -> m.contains(marker) && m.contains("Action: failed")));
        String dsn = OutboundMail.inbox(db, store, INBOX).stream().filter(m -> m.contains(marker)).findFirst().orElseThrow();
        assertThat(dsn).contains("Status: 5.7.1").contains("Diagnostic-Code: smtp; 554 5.7.1")
                .contains("blocked using zen.spamhaus.org").contains("Remote-MTA: dns; mx.example.net");
    }

    @Test
    @Order(3)
    void aReputationRefusalGoesToTheRelayAndARelayRefusingAuthKeepsItQueued() throws Exception {
        Thread.sleep(2500); // past fallback-probe: the direct path is tried again
        OutboundMail.admin().contentType(ContentType.JSON).body(relay("wrong-password")).put("/api/relay").then().statusCode(200)
                .body("passwordSet", equalTo(true)).body("$", not(org.hamcrest.Matchers.hasKey("password")))
                .body("mode", equalTo("fallback"));
        Path credentials = ApplianceTestResource.dataDir.resolve("relay-credentials");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
        String marker = "relay-" + System.nanoTime();
        long id = OutboundMail.enqueue(store, queue, "frank@example.net", marker);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> OutboundMail.admin().get("/api/queue").then()
                .body("find { it.id == " + id + " }.recipients[0].status", equalTo("queued"))
                .body("find { it.id == " + id + " }.recipients[0].route", equalTo("relay"))
                .body("find { it.id == " + id + " }.recipients[0].routeReason", containsString("refuses this IP address"))
                .body("find { it.id == " + id + " }.recipients[0].lastError", containsString("refused authentication: 535")));
        String view = OutboundMail.admin().get("/api/relay").then().statusCode(200)
                .body("relayProblem", containsString("refused authentication")).extract().asString();
        assertThat(view).doesNotContain("wrong-password");
        OutboundMail.admin().get("/api/status").then().body("health.state", equalTo("warning"))
                .body("health.checks.reason", hasItem(containsString("the relay refuses our mail")));

        // fixed credentials: the next retry goes out through the relay, not bounced, DKIM intact
        Map<String, String> published = OutboundMail.publishDkim(records, keys);
        OutboundMail.admin().contentType(ContentType.JSON).body(relay("secret")).put("/api/relay").then().statusCode(200);
        Path stored = OutboundMail.awaitStored(marker, Duration.ofSeconds(30));
        String copy = Files.readString(stored, StandardCharsets.UTF_8);
        assertThat(copy).contains("with ESMTPSA"); // the relay's authenticated submission, not the 2535 MX
        assertThat(DkimTools.opendkim(stored, published)).containsPattern("verification \\(s=\\w+, d=example.test, 2048-bit key\\) succeeded");
        assertThat(DkimTools.dkimverify(stored, 0)).contains("signature ok");
        assertThat(DkimTools.dkimverify(stored, 1)).contains("signature ok");
        // a "delayed" notice while the relay refused us is right; a bounce is not
        assertThat(OutboundMail.inbox(db, store, INBOX)).noneMatch(m -> m.contains(marker) && m.contains("Action: failed"));
        OutboundMail.admin().get("/api/relay").then().body("fallback.active", equalTo(true))
                .body("events[0].trigger", equalTo("REPUTATION"))
                .body("events[0].evidence", containsString("blocked using zen.spamhaus.org"));
        OutboundMail.admin().get("/api/status").then().body("health.checks.reason", hasItem(containsString("sending through relay 127.0.0.1")));
        assertThat(spf.mechanisms("example.test")).containsExactly("include:spf.relay.example.com");
        // one SPF record for the domain (RFC 7208 §4.5), carrying the relay's include
        OutboundMail.admin().get("/api/dns/records").then()
                .body("findAll { it.type == 'TXT' && it.value.contains('v=spf1') }.size()", equalTo(1))
                .body("find { it.type == 'TXT' && it.value.contains('v=spf1') }.value", containsString("include:spf.relay.example.com -all"));
    }

    @Test
    @Order(4)
    void port25UnreachableSendsThroughTheRelayWhoseAnswerCounts() throws Exception {
        Thread.sleep(2500); // past fallback-probe
        String marker = "port25-" + System.nanoTime();
        OutboundMail.enqueue(store, queue, "henry@closed.example.test", marker);
        // the relay (Postfix submission, which serves only example.net/.org) refuses this recipient: that 5xx is final
        await().atMost(Duration.ofSeconds(30)).until(() -> OutboundMail.inbox(db, store, INBOX).stream()
                .anyMatch(m -> m.contains(marker) && m.contains("Action: failed")));
        String dsn = OutboundMail.inbox(db, store, INBOX).stream().filter(m -> m.contains(marker)).findFirst().orElseThrow();
        assertThat(dsn).contains("Remote-MTA: dns; 127.0.0.1").contains("external delivery disabled in test");
        OutboundMail.admin().get("/api/relay").then().body("events[0].trigger", equalTo("PORT25_UNREACHABLE"))
                .body("events[0].evidence", containsString("connection refused by closedmx.example.test[127.0.0.2]:2535"));
        String relayLog = Files.readString(DkimTools.PEERS.resolve("pf-in/maillog"), StandardCharsets.ISO_8859_1);
        assertThat(relayLog).containsPattern("postfix/submission/smtpd.*sasl_username=alice@example.test");
    }

    @Test
    @Order(5)
    void relaySettingsRejectBadInput() {
        OutboundMail.admin().contentType(ContentType.JSON).body(Map.of("mode", "sideways")).put("/api/relay").then().statusCode(400)
                .body("field", equalTo("mode"));
        OutboundMail.admin().contentType(ContentType.JSON).body(Map.of("mode", "relay")).put("/api/relay").then().statusCode(400)
                .body("field", equalTo("host"));
        OutboundMail.admin().contentType(ContentType.JSON).body(Map.of("mode", "fallback", "host", "relay.example.com", "port", 70000))
                .put("/api/relay").then().statusCode(400).body("field", equalTo("port"));
        OutboundMail.admin().get("/api/relay").then().body("host", equalTo("127.0.0.1")); // nothing saved by the bad requests
    }

    @Test
    @Order(6)
    void relayTestReallyConnectsAndAuthenticatesWithoutSavingAnything() throws Exception {
        OutboundMail.admin().contentType(ContentType.JSON).body(relay("secret")).put("/api/relay").then().statusCode(200);
        OutboundMail.admin().contentType(ContentType.JSON).body(relay("secret")).post("/api/relay/test").then().statusCode(200)
                .body("ok", equalTo(true)).body("stage", equalTo("done"));
        OutboundMail.admin().contentType(ContentType.JSON).body(relay("wrong-password")).post("/api/relay/test").then().statusCode(200)
                .body("ok", equalTo(false)).body("stage", equalTo("auth")).body("message", containsString("refused authentication"));
        Map<String, Object> stored = relay(null);
        stored.remove("password"); // the stored password is used
        OutboundMail.admin().contentType(ContentType.JSON).body(stored).post("/api/relay/test").then().statusCode(200)
                .body("ok", equalTo(true)).body("stage", equalTo("done"));
        Map<String, Object> untrusted = relay("secret");
        untrusted.remove("caPem"); // the peer's private CA is not in the JDK's trust store
        OutboundMail.admin().contentType(ContentType.JSON).body(untrusted).post("/api/relay/test").then().statusCode(200)
                .body("ok", equalTo(false)).body("stage", equalTo("tls"));
        Map<String, Object> closed = relay("secret");
        closed.put("port", org.mailkeep.testsupport.ApplianceTestResource.freePort());
        OutboundMail.admin().contentType(ContentType.JSON).body(closed).post("/api/relay/test").then().statusCode(200)
                .body("ok", equalTo(false)).body("stage", equalTo("connect"));
        OutboundMail.admin().contentType(ContentType.JSON).body(Map.of("port", 25)).post("/api/relay/test").then().statusCode(400)
                .body("field", equalTo("host"));
        OutboundMail.admin().get("/api/relay").then().body("relayProblem", org.hamcrest.Matchers.isEmptyOrNullString());
    }
}
