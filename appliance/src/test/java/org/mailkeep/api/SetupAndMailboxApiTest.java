package org.mailkeep.api;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.testsupport.Swaks;

import java.nio.file.Files;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SetupAndMailboxApiTest {

    static final String ADMIN_PASSWORD = "correct-horse-battery-staple";

    @Test
    @Order(1)
    void beforeSetupOnlyStatusAndSetupAnswer() {
        given().get("/api/status").then().statusCode(200)
                .body("setupComplete", equalTo(false))
                .body("health.state", equalTo("setup"));
        given().get("/api/mailboxes").then().statusCode(403);
    }

    @jakarta.inject.Inject
    org.mailkeep.admin.LoginThrottle throttle;

    /** The restore before setup takes the setup token: it is throttled like every other guess at it (issue 15). */
    @Test
    @Order(1)
    void restoreTokenGuessesAreThrottledLikeTheSetupToken() {
        Map<String, String> guess = Map.of("token", "wrong", "passphrase", "whatever-passphrase");
        try {
            for (int i = 0; i < 5; i++) {
                given().contentType(ContentType.JSON).body(guess).post("/api/restore").then().statusCode(403).body("field", equalTo("token"));
            }
            given().contentType(ContentType.JSON).body(guess).post("/api/restore").then().statusCode(429)
                    .header("Retry-After", org.hamcrest.Matchers.notNullValue()).body("field", equalTo("token"));
            // the same count covers the setup token itself
            given().contentType(ContentType.JSON).body(Map.of("token", "wrong")).post("/api/setup/claim").then().statusCode(429);
        } finally {
            throttle.succeeded("127.0.0.1");
        }
    }

    @Test
    @Order(2)
    void setupRefusesWrongTokenAndBadFields() throws Exception {
        String token = Files.readString(ApplianceTestResource.dataDir.resolve("setup-token")).trim();
        given().contentType(ContentType.JSON)
                .body(Map.of("token", "wrong", "domain", "example.test", "hostname", "mail.example.test", "adminPassword", ADMIN_PASSWORD))
                .post("/api/setup").then().statusCode(403).body("field", equalTo("token"));
        given().contentType(ContentType.JSON)
                .body(Map.of("token", token, "domain", "not a domain", "hostname", "mail.example.test", "adminPassword", ADMIN_PASSWORD))
                .post("/api/setup").then().statusCode(400).body("field", equalTo("domain"));
        given().contentType(ContentType.JSON)
                .body(Map.of("token", token, "domain", "example.test", "hostname", "mail.example.test", "adminPassword", "short"))
                .post("/api/setup").then().statusCode(400).body("field", equalTo("adminPassword"));
    }

    @Test
    @Order(3)
    void setupCompletesOnceThenNeedsAdmin() throws Exception {
        String token = Files.readString(ApplianceTestResource.dataDir.resolve("setup-token")).trim();
        Map<String, String> body = Map.of("token", token, "domain", "Example.TEST", "hostname", "mail.example.test", "adminPassword", ADMIN_PASSWORD);
        given().contentType(ContentType.JSON).body(body).post("/api/setup").then().statusCode(200);
        given().contentType(ContentType.JSON).body(body).post("/api/setup").then().statusCode(409);
        given().get("/api/mailboxes").then().statusCode(401);
        given().auth().preemptive().basic("admin", "wrong-password").get("/api/mailboxes").then().statusCode(401);
        given().get("/api/status").then().statusCode(200).body("setupComplete", equalTo(true));
    }

    @Test
    @Order(4)
    void mailboxesAndAliases() {
        var admin = given().auth().preemptive().basic("admin", ADMIN_PASSWORD).contentType(ContentType.JSON);
        admin.body(Map.of("address", "alice@example.test", "password", "alice-secret-1", "displayName", "Alice"))
                .post("/api/mailboxes").then().statusCode(201).body("address", equalTo("alice@example.test"));
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).contentType(ContentType.JSON)
                .body(Map.of("address", "alice@example.test", "password", "alice-secret-1"))
                .post("/api/mailboxes").then().statusCode(409);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).contentType(ContentType.JSON)
                .body(Map.of("address", "no-at-sign", "password", "alice-secret-1"))
                .post("/api/mailboxes").then().statusCode(400).body("field", equalTo("address"));
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).contentType(ContentType.JSON)
                .body(Map.of("alias", "info@example.test", "target", "alice@example.test"))
                .post("/api/aliases").then().statusCode(201);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).contentType(ContentType.JSON)
                .body(Map.of("address", "alice.smith@example.test"))
                .patch("/api/mailboxes/alice@example.test").then().statusCode(200).body("address", equalTo("alice.smith@example.test"));
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).get("/api/mailboxes").then().statusCode(200)
                .body("", hasSize(1)).body("address", hasItem("alice.smith@example.test"));
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).get("/api/aliases").then().statusCode(200)
                .body("target", hasItem("alice.smith@example.test"));
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).delete("/api/aliases/info@example.test").then().statusCode(204);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).delete("/api/mailboxes/alice.smith@example.test").then().statusCode(204);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).delete("/api/mailboxes/alice.smith@example.test").then().statusCode(404);
    }

    static io.restassured.specification.RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", ADMIN_PASSWORD).contentType(ContentType.JSON);
    }

    @Test
    @Order(5)
    void mailLogAndDashboardShowAcceptedAndRejectedMail() throws Exception {
        admin().body(Map.of("address", "carol@example.test", "password", "carol-secret-1")).post("/api/mailboxes").then().statusCode(201);
        assertThat(Swaks.toMx("--from", "friend@example.net", "--to", "carol@example.test", "--header", "Subject: log me")).contains("250 2.0.0 OK");
        assertThat(Swaks.toMx("--from", "friend@example.net", "--to", "nobody@example.test")).contains("550 5.1.1");
        admin().get("/api/mail-log?limit=2&direction=in").then().statusCode(200)
                .body("", hasSize(2))
                .body("[0].to", equalTo("nobody@example.test")).body("[0].result", equalTo("rejected")).body("[0].reason", equalTo("unknown user"))
                .body("[0].direction", equalTo("in")).body("[0].remoteIp", equalTo("127.0.0.1")).body("[0].remoteHost", equalTo("client.example.net"))
                .body("[1].to", equalTo("carol@example.test")).body("[1].result", equalTo("accepted")).body("[1].from", equalTo("friend@example.net"));
        admin().get("/api/mail-log?direction=out").then().statusCode(200).body("", hasSize(0));
        admin().get("/api/mail-log?direction=sideways").then().statusCode(400).body("field", equalTo("direction"));
        admin().get("/api/dashboard").then().statusCode(200)
                .body("queue.pending", equalTo(0)).body("queue.deferred", equalTo(0)).body("queue.oldestPendingAt", org.hamcrest.Matchers.nullValue())
                .body("disk.dataDir", equalTo(ApplianceTestResource.dataDir.toAbsolutePath().normalize().toString()))
                .body("disk.usedBytes", org.hamcrest.Matchers.greaterThan(0))
                .body("disk.fsFreeBytes", org.hamcrest.Matchers.greaterThan(0L))
                .body("certificate.selfSigned", equalTo(true)).body("certificate.daysLeft", org.hamcrest.Matchers.greaterThan(300))
                .body("lastBackup", org.hamcrest.Matchers.nullValue()).body("lastSuccessfulBackupAt", org.hamcrest.Matchers.nullValue())
                .body("recentMail[0].to", equalTo("nobody@example.test")).body("recentMail[1].result", equalTo("accepted"));
        given().get("/api/dashboard").then().statusCode(401);
    }

    @Test
    @Order(6)
    void auditLogRecordsChangesAndLoginsWithTheirActor() {
        given().contentType(ContentType.JSON).body(Map.of("password", "not-the-password")).post("/api/admin/login").then().statusCode(401);
        admin().body(Map.of("alias", "postmaster@example.test", "target", "carol@example.test")).post("/api/aliases").then().statusCode(201);
        admin().get("/api/audit?limit=3").then().statusCode(200)
                .body("", hasSize(3))
                .body("[0].actor", equalTo("admin")).body("[0].method", equalTo("POST")).body("[0].path", equalTo("/api/aliases"))
                .body("[0].status", equalTo(201)).body("[0].summary", equalTo("created aliases")).body("[0].remoteIp", equalTo("127.0.0.1"))
                .body("[1].summary", equalTo("admin login failed")).body("[1].status", equalTo(401))
                .body("[2].actor", equalTo("admin")).body("[2].method", equalTo("POST")).body("[2].path", equalTo("/api/mailboxes"));
        // the whole history: setup by the token holder, the refused Basic login, the rename and deletion of a mailbox
        admin().get("/api/audit?limit=100").then().statusCode(200)
                .body("findAll { it.actor == 'setup' }.summary", hasItem("ran setup"))
                .body("findAll { it.status == 401 && it.method == 'GET' }.path", hasItem("/api/mailboxes"))
                .body("summary", hasItem("changed mailboxes/alice@example.test"))
                .body("summary", hasItem("deleted mailboxes/alice.smith@example.test"));
        admin().get("/api/audit?limit=0").then().statusCode(400).body("field", equalTo("limit"));
    }

    @Test
    @Order(7)
    void bearerTokensAreShownOnceWorkAndCanBeRevoked() {
        String token = admin().body(Map.of("name", "backup script")).post("/api/admin/tokens").then().statusCode(201)
                .body("name", equalTo("backup script")).extract().path("token");
        int id = admin().get("/api/admin/tokens").then().statusCode(200)
                .body("name", hasItem("backup script")).body("token", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.nullValue()))
                .extract().path("[0].id");
        admin().body(Map.of("name", "backup script")).post("/api/admin/tokens").then().statusCode(409);
        admin().body(Map.of("name", "")).post("/api/admin/tokens").then().statusCode(400).body("field", equalTo("name"));
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("alias", "abuse@example.test", "target", "carol@example.test")).post("/api/aliases").then().statusCode(201);
        admin().get("/api/audit?limit=1").then().body("[0].actor", equalTo("token:backup script"));
        admin().get("/api/lists/audit").then().statusCode(200);
        admin().delete("/api/admin/tokens/" + id).then().statusCode(204);
        given().header("Authorization", "Bearer " + token).get("/api/mailboxes").then().statusCode(401)
                .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
        admin().delete("/api/admin/tokens/" + id).then().statusCode(404);
        admin().get("/api/audit?limit=2").then().body("[1].actor", equalTo("anonymous")).body("[1].status", equalTo(401));
    }

    @Test
    @Order(8)
    void quotaIsSetThroughTheApiAndEnforcedAtRcpt() throws Exception {
        admin().body(Map.of("quotaBytes", -1)).patch("/api/mailboxes/carol@example.test").then().statusCode(400).body("field", equalTo("quotaBytes"));
        admin().body(Map.of("quotaBytes", 1)).patch("/api/mailboxes/carol@example.test").then().statusCode(200)
                .body("quotaBytes", equalTo(1)).body("usedBytes", org.hamcrest.Matchers.greaterThan(1));
        assertThat(Swaks.toMx("--from", "friend@example.net", "--to", "carol@example.test")).contains("452 4.2.2 mailbox full");
        admin().body(Map.of("quotaBytes", 0)).patch("/api/mailboxes/carol@example.test").then().statusCode(200).body("quotaBytes", equalTo(0));
        assertThat(Swaks.toMx("--from", "friend@example.net", "--to", "carol@example.test")).contains("250 2.0.0 OK");
    }

    /**
     * CSRF (issue 15): a browser that cached the Basic credentials attaches them to a cross-site POST without a body;
     * Origin and Sec-Fetch-Site refuse it whatever the credentials. Same-origin calls and clients without those headers
     * (curl, scripts) go on as before.
     */
    @Test
    @Order(9)
    void crossSiteStateChangesAreRefusedWhateverTheCredentials() {
        // the page's own origin: scheme, the Host the browser sent, port
        String host = "mailkeep.test:" + io.restassured.RestAssured.port;
        String self = "http://" + host;
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).header("Origin", "https://evil.example")
                .post("/api/backups").then().statusCode(403).body("error", org.hamcrest.Matchers.containsString("cross-site"));
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).header("Sec-Fetch-Site", "cross-site")
                .post("/api/backups").then().statusCode(403);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).header("Origin", "null")
                .delete("/api/aliases/abuse@example.test").then().statusCode(403);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).header("Host", host).header("Origin", self.replace("http:", "https:"))
                .post("/api/backups").then().statusCode(403);
        given().header("Origin", "https://evil.example").contentType(ContentType.JSON).body(Map.of("password", ADMIN_PASSWORD))
                .post("/api/admin/login").then().statusCode(403); // login CSRF too
        // reading stays open to the credentials; the box's own page and curl still change things
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).header("Origin", "https://evil.example")
                .get("/api/aliases").then().statusCode(200);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).header("Host", host).header("Origin", self).header("Sec-Fetch-Site", "same-origin")
                .post("/api/backups").then().statusCode(409).body("field", equalTo("passphrase"));
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).header("Host", host).header("Origin", self)
                .post("/api/backups").then().statusCode(409);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).post("/api/backups").then().statusCode(409);
    }

    /**
     * Sender identities (issue 15): through the real submission port, a user may put in From: and MAIL FROM only its own
     * addresses, the aliases that reach it and what the admin granted; anything else of a hosted domain is refused.
     */
    @Test
    @Order(10)
    void submissionAcceptsOnlyTheUsersSenderIdentities() throws Exception {
        admin().body(Map.of("address", "dave@example.test", "password", "dave-secret-12")).post("/api/mailboxes").then().statusCode(201);
        admin().body(Map.of("alias", "sales@example.test", "target", "dave@example.test")).post("/api/aliases").then().statusCode(201);
        String[] toCarol = {"--to", "carol@example.test", "--header", "Subject: identities"};
        assertThat(Swaks.toSubmission("dave@example.test", "dave-secret-12", concat(toCarol, "--from", "dave@example.test")))
                .contains("250 2.0.0 OK");
        assertThat(Swaks.toSubmission("dave@example.test", "dave-secret-12", concat(toCarol, "--from", "dave@example.test",
                "--header", "From: Sales <sales@example.test>"))).contains("250 2.0.0 OK");
        // the spoof of the issue: envelope right, From: another user's address of the same domain, DKIM would have signed it
        assertThat(Swaks.toSubmission("dave@example.test", "dave-secret-12", concat(toCarol, "--from", "dave@example.test",
                "--header", "From: The Boss <carol@example.test>"))).contains("550 5.7.1 From address carol@example.test is not one of");
        assertThat(Swaks.toSubmission("dave@example.test", "dave-secret-12", concat(toCarol, "--from", "dave@example.test",
                "--header", "From: dave@example.test, ceo@example.test"))).contains("550 5.7.1");
        assertThat(Swaks.toSubmission("dave@example.test", "dave-secret-12", concat(toCarol, "--from", "ceo@example.test")))
                .contains("553 5.7.1");

        admin().get("/api/mailboxes/dave@example.test/sender-identities").then().statusCode(200)
                .body("address", org.hamcrest.Matchers.contains("dave@example.test", "sales@example.test"))
                .body("source", org.hamcrest.Matchers.contains("own", "alias"));
        admin().body(Map.of("address", "ceo@example.net")).post("/api/mailboxes/dave@example.test/sender-identities").then().statusCode(400)
                .body("field", equalTo("address"));
        admin().body(Map.of("address", "sales@example.test")).post("/api/mailboxes/dave@example.test/sender-identities").then().statusCode(409);
        admin().body(Map.of("address", "ceo@example.test")).post("/api/mailboxes/dave@example.test/sender-identities").then().statusCode(201)
                .body("source", equalTo("granted"));
        assertThat(Swaks.toSubmission("dave@example.test", "dave-secret-12", concat(toCarol, "--from", "ceo@example.test")))
                .contains("250 2.0.0 OK");
        admin().delete("/api/mailboxes/dave@example.test/sender-identities/ceo@example.test").then().statusCode(204);
        admin().delete("/api/mailboxes/dave@example.test/sender-identities/ceo@example.test").then().statusCode(404);
        assertThat(Swaks.toSubmission("dave@example.test", "dave-secret-12", concat(toCarol, "--from", "dave@example.test",
                "--header", "From: ceo@example.test"))).contains("550 5.7.1");
    }

    /** The admin passphrase is changed with the current one and under the wizard's rules (issue 15); LAN-only is a setting. */
    @Test
    @Order(11)
    void theAdminChangesThePassphraseAndTheLanOnlySetting() {
        String next = "seven-unrelated-harbour-lemons";
        admin().body(Map.of("current", "not-the-passphrase", "passphrase", next)).post("/api/admin/passphrase").then().statusCode(400)
                .body("field", equalTo("current"));
        admin().body(Map.of("current", ADMIN_PASSWORD, "passphrase", "short")).post("/api/admin/passphrase").then().statusCode(400)
                .body("field", equalTo("passphrase"));
        admin().body(Map.of("current", ADMIN_PASSWORD, "passphrase", "password1234567")).post("/api/admin/passphrase").then().statusCode(400)
                .body("field", equalTo("passphrase")).body("error", org.hamcrest.Matchers.containsString("common"));
        admin().body(Map.of("current", ADMIN_PASSWORD, "passphrase", next)).post("/api/admin/passphrase").then().statusCode(204);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).get("/api/mailboxes").then().statusCode(401);
        given().auth().preemptive().basic("admin", next).contentType(ContentType.JSON)
                .body(Map.of("current", next, "passphrase", ADMIN_PASSWORD)).post("/api/admin/passphrase").then().statusCode(204);

        admin().get("/api/admin/settings").then().statusCode(200).body("lanOnly", equalTo(true));
        admin().body(Map.of("lanOnly", false)).put("/api/admin/settings").then().statusCode(200).body("lanOnly", equalTo(false));
        admin().body(Map.of()).put("/api/admin/settings").then().statusCode(400).body("field", equalTo("lanOnly"));
        admin().body(Map.of("lanOnly", true)).put("/api/admin/settings").then().statusCode(200).body("lanOnly", equalTo(true));
        throttle.succeeded("127.0.0.1");
    }

    static String[] concat(String[] first, String... more) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(first), java.util.Arrays.stream(more)).toArray(String[]::new);
    }
}
