package org.mailkeep.backup;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.mailkeep.setup.SetupService;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.ApplianceTestResource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
class BackupApiTest {

    static final String ADMIN = "correct-horse-battery-staple";

    @Inject
    SetupService setup;
    @Inject
    Directory directory;
    @Inject
    MessageStore store;
    @Inject
    BackupService backups;
    @Inject
    org.mailkeep.store.Database db;
    @Inject
    jakarta.enterprise.event.Event<org.mailkeep.box.ButtonEvents.BackupNowRequested> button;

    @Test
    void aRunLeftRunningByAStopIsSettledAtStartUp() {
        db.write(c -> c.createStatement().executeUpdate(
                "INSERT INTO backups(id, state, started_at) VALUES('20240101-000000', 'running', 1704067200000)"));
        backups.settleInterruptedRuns(new io.quarkus.runtime.StartupEvent());
        BackupService.Run run = backups.runs().stream().filter(r -> r.id().equals("20240101-000000")).findFirst().orElseThrow();
        assertThat(run.state()).isEqualTo("failed");
        assertThat(run.error()).contains("MailKeep stopped while this backup ran");
        db.write(c -> c.createStatement().executeUpdate("DELETE FROM backups WHERE id = '20240101-000000'"));
    }

    @Test
    void configureBackUpListVerifyAndRestoreOneMailbox() throws Exception {
        setup.complete("example.test", "mail.example.test", ADMIN);
        long alice = directory.createAccount(Address.parse("alice@example.test").orElseThrow(), "alice-password", null).id();
        Path spooled = store.newSpoolFile();
        Files.writeString(spooled, "Subject: keep me\r\n\r\nbody\r\nFrom here on, a line mbox must quote\r\n");
        store.deliver(spooled, List.of(MessageStore.Delivery.inbox(alice)));

        String mbox = given().auth().preemptive().basic("admin", ADMIN).get("/api/mailboxes/alice@example.test/mbox").then().statusCode(200)
                .extract().asString();
        assertThat(mbox).startsWith("From MAILER-DAEMON ").contains("X-Folder: INBOX\n", "Subject: keep me\n", "\n>From here on");
        given().auth().preemptive().basic("admin", ADMIN).get("/api/mailboxes/nobody@example.test/mbox").then().statusCode(404);

        given().auth().preemptive().basic("admin", ADMIN).post("/api/backups").then().statusCode(409).body("field", equalTo("passphrase"));
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON).body(Map.of("passphrase", "short"))
                .put("/api/backup/settings").then().statusCode(400).body("field", equalTo("passphrase"));
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON).body(Map.of("schedule", "25:99"))
                .put("/api/backup/settings").then().statusCode(400).body("field", equalTo("schedule"));
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON).body(Map.of("passphrase", "password12345678"))
                .put("/api/backup/settings").then().statusCode(400).body("field", equalTo("passphrase"))
                .body("error", org.hamcrest.Matchers.containsString("common passwords"));
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("passphrase", "a-long-backup-passphrase", "schedule", "02:15"))
                .put("/api/backup/settings").then().statusCode(200).body("passphraseSet", equalTo(true)).body("schedule", equalTo("02:15"));
        // the card keeps the passphrase's derived key only, 0600 from its creation (issue 15)
        Path keyFile = ApplianceTestResource.dataDir.resolve("backup-key");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(Files.readString(keyFile)).doesNotContain("a-long-backup-passphrase");
        assertThat(ApplianceTestResource.dataDir.resolve("backup-passphrase")).doesNotExist();

        given().get("/api/status").then().body("health.checks.find { it.name == 'backup' }.level", equalTo("warning"))
                .body("health.checks.find { it.name == 'backup' }.reason", equalTo("no successful backup yet"));
        long threeDaysAgo = System.currentTimeMillis() - Duration.ofDays(3).toMillis();
        db.write(c -> c.createStatement().executeUpdate("INSERT INTO backups(id, started_at, finished_at, state) VALUES('20261101T033000Z', "
                + threeDaysAgo + ", " + threeDaysAgo + ", 'ok')"));
        given().get("/api/status").then().body("health.checks.find { it.name == 'backup' }.level", equalTo("warning"))
                .body("health.checks.find { it.name == 'backup' }.reason", equalTo("last successful backup is older than 2 days"));

        String id = given().auth().preemptive().basic("admin", ADMIN).post("/api/backups").then().statusCode(202).extract().path("id");
        backups.awaitIdle(Duration.ofMinutes(2));
        given().auth().preemptive().basic("admin", ADMIN).get("/api/backups").then().statusCode(200)
                .body("", hasSize(2)).body("[0].id", equalTo(id)).body("[0].state", equalTo("ok"));
        given().auth().preemptive().basic("admin", ADMIN).post("/api/backups/" + id + "/verify").then().statusCode(200)
                .body("result", equalTo("ok"));
        given().auth().preemptive().basic("admin", ADMIN).get("/api/restore").then().statusCode(200).body("[0].id", equalTo(id));
        // this machine has no USB disk: the detection reads the real /sys/block and finds none (UsbSticksTest covers real trees)
        given().auth().preemptive().basic("admin", ADMIN).get("/api/backup/sticks").then().statusCode(200).body("", hasSize(0));
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON).body(Map.of("confirm", "sdz 16.0 GB"))
                .post("/api/backup/sticks/sdz/prepare").then().statusCode(404);
        // no root stick helper in tests (BackupStickScriptTest runs it against recorded sysfs trees)
        given().auth().preemptive().basic("admin", ADMIN).post("/api/backup/sticks/eject").then().statusCode(409)
                .body("error", org.hamcrest.Matchers.containsString("stick helper is not installed"));
        given().get("/api/status").then().body("health.checks.find { it.name == 'backup' }.level", equalTo("ok"));

        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON).body(Map.of("address", "alice@example.test"))
                .post("/api/backups/" + id + "/restore-mailbox").then().statusCode(200).body("restored", equalTo(1));
        assertThat(directory.usedBytes(directory.account("alice@example.test").orElseThrow().id())).isGreaterThan(0);
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON).body(Map.of("address", "nobody@example.test"))
                .post("/api/backups/" + id + "/restore-mailbox").then().statusCode(404);
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("backupId", id, "passphrase", "not the passphrase"))
                .post("/api/restore").then().statusCode(400).body("field", equalTo("passphrase"));

        // a forged marker (issue 15): a snapshot of 1900 and, the same day, one whose id climbs out of the stick to a canary
        Path snapshots = ApplianceTestResource.dataDir.resolve("stick/mailkeep-backup/snapshots");
        Path canary = Files.createDirectories(ApplianceTestResource.dataDir.resolve("canary"));
        Files.writeString(canary.resolve("mail"), "must survive");
        Files.createDirectories(snapshots.resolve("19000101")); // so that the path "snapshots/19000101/../.." resolves
        Files.createDirectories(snapshots.resolve("19000101T000000Z"));
        Files.writeString(snapshots.resolve("19000101T000000Z/COMPLETE"),
                "{\"format\":1,\"id\":\"19000101T000000Z\",\"finishedAt\":\"1900-01-01T00:00:00Z\",\"bytes\":1,\"files\":1,\"snapshotFiles\":{},\"packs\":{}}");
        Files.createDirectories(snapshots.resolve("19000101T000001Z"));
        Files.writeString(snapshots.resolve("19000101T000001Z/COMPLETE"),
                "{\"format\":1,\"id\":\"19000101/../../../../canary\",\"finishedAt\":\"1900-01-01T00:00:00Z\",\"bytes\":1,\"files\":1,\"snapshotFiles\":{},\"packs\":{}}");
        String second = given().auth().preemptive().basic("admin", ADMIN).post("/api/backups").then().statusCode(202).extract().path("id");
        backups.awaitIdle(Duration.ofMinutes(2)); // its retention ran over the forged markers
        assertThat(backups.runs().get(0).state()).isEqualTo("ok");
        assertThat(canary.resolve("mail")).hasContent("must survive");
        given().auth().preemptive().basic("admin", ADMIN).get("/api/backup/settings").then().statusCode(200)
                .body("ignoredMarkers.snapshot", org.hamcrest.Matchers.contains("19000101T000000Z", "19000101T000001Z"));
        given().get("/api/status").then().body("health.checks.find { it.name == 'backup' }.level", equalTo("warning"))
                .body("health.checks.find { it.name == 'backup' }.reason", org.hamcrest.Matchers.containsString("did not write"));
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("backupId", "19000101T000000Z", "passphrase", "a-long-backup-passphrase"))
                .post("/api/restore").then().statusCode(400).body("field", equalTo("backupId"));
        given().auth().preemptive().basic("admin", ADMIN).post("/api/backups/19000101T000000Z/verify").then().statusCode(404);
        BackupStick.deleteTree(snapshots.resolve("19000101T000000Z"));
        BackupStick.deleteTree(snapshots.resolve("19000101T000001Z"));
        given().get("/api/status").then().body("health.checks.find { it.name == 'backup' }.level", equalTo("ok"));

        // the whole box back: the database was copied while its own backup ran, yet the restored list shows it complete
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("backupId", second, "passphrase", "a-long-backup-passphrase"))
                .post("/api/restore").then().statusCode(202);
        backups.awaitIdle(Duration.ofMinutes(2));
        assertThat(backups.lastRestoreError()).isEmpty();
        given().auth().preemptive().basic("admin", ADMIN).get("/api/backups").then().statusCode(200)
                .body("", hasSize(3)).body("[0].id", equalTo(second)).body("[0].state", equalTo("ok")).body("[0].files", greaterThan(0));

        // the button held 5 s (StatusLeds fires the event; StatusLedsApiTest covers the holding) backs up too
        button.fireAsync(new org.mailkeep.box.ButtonEvents.BackupNowRequested(java.time.Instant.now()));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> backups.runs().size() == 4);
        backups.awaitIdle(Duration.ofMinutes(2));
        assertThat(backups.runs().get(0).state()).isEqualTo("ok");
    }
}
