package org.mailkeep.health;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.testsupport.ApplianceTestResource;
import org.mailkeep.box.ButtonEvents;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

/** /api/status's health and LED mirror on the mock platform, the wiring test call, and the button's events. */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusLedsApiTest {

    static final String ADMIN_PASSWORD = "led-test-admin-password";

    /** Records the button's events as the backup feature would observe them. */
    @ApplicationScoped
    static class ButtonObserver {
        static final List<Object> EVENTS = new CopyOnWriteArrayList<>();

        void backup(@ObservesAsync ButtonEvents.BackupNowRequested event) {
            EVENTS.add(event);
        }

        void presence(@ObservesAsync ButtonEvents.PresenceConfirmed event) {
            EVENTS.add(event);
        }
    }

    @Inject
    Activities activities;
    @Inject
    StatusLeds leds;

    @Test
    @Order(1)
    void beforeSetupTheBoxBreathesAmberAndReportsEveryCheck() {
        given().get("/api/status").then().statusCode(200)
                .body("health.state", equalTo("setup"))
                .body("health.checks.name", hasItems("cpu-temperature", "power-supply", "clock", "store"))
                .body("health.checks.find { it.name == 'clock' }.reason", notNullValue())
                .body("leds.platform", equalTo("mock"))
                .body("leds.pattern.amber", equalTo("breathing"))
                .body("leds.pattern.green", equalTo("off"))
                .body("leds.pattern.activity", equalTo("off"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/api/status").then()
                .body("leds.outputs.amber", equalTo("breathing")).body("leds.outputs.green", equalTo("off")));
    }

    @Test
    @Order(2)
    void aShortPressDuringSetupConfirmsPresence() {
        Instant before = Instant.now();
        leds.pressed(org.mailkeep.hardware.Press.SHORT);
        assertThat(leds.presenceConfirmedSince(before)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> ButtonObserver.EVENTS.stream().anyMatch(e -> e instanceof ButtonEvents.PresenceConfirmed));
    }

    @Test
    @Order(3)
    void mailActivityShowsOnTheActivityLed() {
        activities.pulse(Activities.MAIL_IN);
        given().get("/api/status").then()
                .body("leds.activities", contains("mail-in"))
                .body("leds.pattern.activity", equalTo("fast-blink"));
        // the mirror of the wired LEDs follows within a tick; begin/end keeps it on however slow the machine is
        activities.begin(Activities.MAIL_OUT);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/api/status").then()
                .body("leds.outputs.activity", equalTo("fast-blink")));
        activities.end(Activities.MAIL_OUT);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/api/status").then()
                .body("leds.activities", org.hamcrest.Matchers.empty())
                .body("leds.outputs.activity", equalTo("off")));
    }

    @Test
    @Order(4)
    void theBoxIsClaimedWithItsButtonAndSetUpWithTheClaim() {
        given().post("/api/hardware/test").then().statusCode(403); // not set up yet
        given().get("/api/setup/claim").then().statusCode(200).body("state", equalTo("unclaimed"));
        given().contentType(ContentType.JSON).body(Map.of("method", "button")).post("/api/setup/claim").then().statusCode(202)
                .body("waitingUntil", notNullValue());
        given().get("/api/setup/claim").then().statusCode(200).body("state", equalTo("waiting")).body("claim", org.hamcrest.Matchers.nullValue());
        Map<String, String> setup = new java.util.HashMap<>(Map.of("claim", "not-the-claim", "domain", "example.test",
                "hostname", "mail.example.test", "adminPassword", ADMIN_PASSWORD));
        given().contentType(ContentType.JSON).body(setup).post("/api/setup").then().statusCode(403).body("field", equalTo("claim"));
        leds.pressed(org.mailkeep.hardware.Press.SHORT); // the owner presses the button at the box
        String claim = await().atMost(Duration.ofSeconds(5)).until(
                () -> given().get("/api/setup/claim").then().statusCode(200).extract().<String>path("claim"), java.util.Objects::nonNull);
        given().get("/api/setup/claim").then().body("state", equalTo("claimed"));
        setup.put("claim", claim);
        given().contentType(ContentType.JSON).body(setup).post("/api/setup").then().statusCode(200);
        given().contentType(ContentType.JSON).body(setup).post("/api/setup").then().statusCode(409);
        given().get("/api/setup/claim").then().statusCode(200).body("state", equalTo("claimed")).body("claim", org.hamcrest.Matchers.nullValue());
    }

    @Test
    @Order(5)
    void theWiringTestIsForTheAdminOnly() {
        given().contentType(ContentType.JSON).body(Map.of("method", "button")).post("/api/setup/claim").then().statusCode(409); // claiming is over
        given().post("/api/hardware/test").then().statusCode(401);
        given().auth().preemptive().basic("admin", ADMIN_PASSWORD).post("/api/hardware/test").then().statusCode(202)
                .body("leds", contains("green", "amber", "red", "activity"))
                .body("secondsEach", equalTo(1));
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> given().get("/api/status").then()
                .body("leds.outputs.green", equalTo("wiring-test")));
    }

    @Test
    @Order(6)
    void holdingFiveSecondsAsksForABackup() {
        leds.pressed(org.mailkeep.hardware.Press.BACKUP);
        await().atMost(Duration.ofSeconds(5)).until(() -> ButtonObserver.EVENTS.stream().anyMatch(e -> e instanceof ButtonEvents.BackupNowRequested));
    }
}
