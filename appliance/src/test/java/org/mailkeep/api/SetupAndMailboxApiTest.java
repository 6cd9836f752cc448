package org.mailkeep.api;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.testsupport.ApplianceTestResource;

import java.nio.file.Files;
import java.util.Map;

import static io.restassured.RestAssured.given;
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
}
