package org.mailkeep.policy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.dns.ZoneResolver;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.TestMessages;
import org.mailkeep.checks.PolicyChain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

/**
 * The inbound policy as the running appliance wires it: config keys of docs/interface.md, the /api/lists calls and
 * their audit trail, and the CDI-assembled PolicyChain against BIND (zen.test) and clamd.
 */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(InboundPolicyWiringTest.Peers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InboundPolicyWiringTest {

    public static class Peers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailkeep.dnsbl.zones", "zen.test:1", "mailkeep.clamd.address", "127.0.0.1:13310",
                    "mailkeep.greylisting.enabled", "true");
        }
    }

    static final String ADMIN_PASSWORD = "correct-horse-battery-staple";

    @Inject
    PolicyChain chain;

    static RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", ADMIN_PASSWORD).contentType(ContentType.JSON);
    }

    @Test
    @Order(1)
    void setUp() throws Exception {
        String token = Files.readString(ApplianceTestResource.dataDir.resolve("setup-token")).trim();
        given().contentType(ContentType.JSON).body(Map.of("token", token, "domain", "example.test", "hostname", "mail.example.test",
                "adminPassword", ADMIN_PASSWORD)).post("/api/setup").then().statusCode(200);
        admin().body(Map.of("address", "bob@example.test", "password", "bob-secret-123")).post("/api/mailboxes").then().statusCode(201);
    }

    @Test
    @Order(2)
    void listsApiValidatesAndAudits() {
        given().get("/api/lists").then().statusCode(401);
        int id = admin().body(Map.of("action", "block", "type", "ip", "value", "198.51.100.0/24", "note", "spam run"))
                .post("/api/lists").then().statusCode(201).body("value", equalTo("198.51.100.0/24")).body("mailbox", equalTo(null))
                .extract().path("id");
        admin().body(Map.of("action", "block", "type", "ip", "value", "198.51.100.0/24")).post("/api/lists").then().statusCode(409);
        admin().body(Map.of("action", "deny", "type", "ip", "value", "1.2.3.4")).post("/api/lists").then().statusCode(400).body("field", equalTo("action"));
        admin().body(Map.of("action", "block", "type", "ip", "value", "1.2.3.400")).post("/api/lists").then().statusCode(400).body("field", equalTo("value"));
        admin().body(Map.of("action", "allow", "type", "domain", "value", "partner.example", "mailbox", "nobody@example.test"))
                .post("/api/lists").then().statusCode(400).body("field", equalTo("mailbox"));
        admin().body(Map.of("action", "allow", "type", "address", "value", "Friend@Example.ORG", "mailbox", "bob@example.test"))
                .post("/api/lists").then().statusCode(201).body("value", equalTo("friend@example.org"));
        admin().get("/api/lists").then().statusCode(200).body("", hasSize(1)).body("[0].id", equalTo(id));
        admin().get("/api/lists?mailbox=bob@example.test").then().statusCode(200).body("", hasSize(1)).body("[0].type", equalTo("address"));
        admin().get("/api/lists?all=true").then().statusCode(200).body("", hasSize(2));
        admin().delete("/api/lists/999999").then().statusCode(404);
        admin().get("/api/lists/audit").then().statusCode(200).body("", hasSize(2)).body("change", hasItem("add")).body("actor", hasItem("admin"));
    }

    @Test
    @Order(3)
    void theChainUsesTheListsDnsblGreylistingAndClamd() {
        Verdict blocked = chain.connect(new SmtpContext("w1", SmtpContext.Listener.MX, ZoneResolver.ip("198.51.100.9")));
        assertThat(blocked.code()).isEqualTo("554");
        Verdict listed = chain.connect(new SmtpContext("w2", SmtpContext.Listener.MX, ZoneResolver.ip("127.0.0.2")));
        assertThat(listed.text()).contains("zen.test");

        SmtpContext session = new SmtpContext("w3", SmtpContext.Listener.MX, ZoneResolver.ip("192.0.2.10"));
        session.heloName("client.example.org");
        assertThat(chain.connect(session).accepted()).isTrue();
        session.envelopeFrom("alice@spf-pass.test");
        assertThat(chain.mailFrom(session).accepted()).isTrue();
        assertThat(chain.rcptTo(session, "bob@example.test").code()).isEqualTo("451"); // greylisting is on in this profile

        SmtpContext submission = new SmtpContext("w4", SmtpContext.Listener.SUBMISSION, ZoneResolver.ip("192.0.2.10"));
        submission.authenticatedUser("bob@example.test");
        submission.envelopeFrom("bob@example.test");
        assertThat(chain.mailFrom(submission).accepted()).isTrue();
        assertThat(chain.rcptTo(submission, "x@example.org").accepted()).isTrue();
        Path virus = TestMessages.write(ApplianceTestResource.dataDir, TestMessages.plain("bob@example.test", "x@example.org", "hi", TestMessages.EICAR));
        Verdict infected = chain.data(submission, virus);
        assertThat(infected.code() + " " + infected.enhancedCode()).isEqualTo("554 5.7.1");
        assertThat(infected.text()).contains("UNOFFICIAL");

        given().get("/api/status").then().statusCode(200).body("health.checks.find { it.name == 'antivirus' }.level", equalTo("ok"));
    }
}
