package org.mailkeep.health;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.mailkeep.backup.BackupService;
import org.mailkeep.testsupport.ApplianceTestResource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * /q/metrics of a running appliance after real traffic: swaks to the MX (DNSBL lookup in the test BIND, clamd scan)
 * and to submission (a remote recipient: one delivery attempt), curl over IMAPS, a backup run. Every metric that
 * docs/metrics.md lists must be on the endpoint, and the traffic must show in the figures.
 */
@QuarkusTest
@QuarkusTestResource(value = ApplianceTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(MetricsEndpointTest.Peers.class)
class MetricsEndpointTest {

    public static class Peers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailkeep.dnsbl.zones", "zen.test:1", "mailkeep.clamd.address", "127.0.0.1:13310");
        }
    }

    static final String ADMIN = "correct-horse-battery-staple";
    static final String PASSWORD = "metrics-user-secret-1";

    @Inject
    BackupService backups;

    static String run(String... command) throws IOException, InterruptedException {
        return run(true, command);
    }

    static String run(boolean mustSucceed, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue() == 0).as(output).isEqualTo(mustSucceed);
        return output;
    }

    /** The metric names of docs/metrics.md's table (its first column). */
    static List<String> documented() throws IOException {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(Files.readString(Path.of("../docs/metrics.md")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Sum of every sample of {@code name} whose labels contain {@code labels} (e.g. {@code command="LOGIN"}). */
    static double value(String metrics, String name, String labels) {
        double sum = 0;
        boolean found = false;
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(metrics);
        while (m.find()) {
            if (m.group(1) == null ? labels.isEmpty() : m.group(1).contains(labels)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        assertThat(found).as(name + "{" + labels + "} on /q/metrics").isTrue();
        return sum;
    }

    static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void everyDocumentedMetricIsExportedAndCountsTheTraffic() throws Exception {
        String token = Files.readString(ApplianceTestResource.dataDir.resolve("setup-token")).trim();
        given().contentType(ContentType.JSON).body(Map.of("token", token, "domain", "example.test", "hostname", "mail.example.test",
                "adminPassword", ADMIN)).post("/api/setup").then().statusCode(200);
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("address", "carol@example.test", "password", PASSWORD)).post("/api/mailboxes").then().statusCode(201);

        run("swaks", "--ehlo", "client.example.net", "--timeout", "30", "--server", "127.0.0.1:" + port("mailkeep.smtp.port"),
                "--from", "someone@spf-none.test", "--to", "carol@example.test", "--header", "Subject: metrics");
        assertThat(run(false, "swaks", "--ehlo", "client.example.net", "--timeout", "30", "--server", "127.0.0.1:" + port("mailkeep.smtp.port"),
                "--from", "someone@spf-none.test", "--to", "nobody@example.test")).contains("<** 550");
        run("swaks", "--ehlo", "laptop", "--timeout", "30", "--server", "127.0.0.1:" + port("mailkeep.submissions.port"), "--tls-on-connect",
                "--auth", "PLAIN", "--auth-user", "carol@example.test", "--auth-password", PASSWORD,
                "--from", "carol@example.test", "--to", "someone@unreachable.invalid", "--header", "Subject: outbound");
        String fetched = run("curl", "-sS", "-k", "--user", "carol@example.test:" + PASSWORD,
                "imaps://127.0.0.1:" + port("mailkeep.imaps.port") + "/INBOX;UID=1");
        assertThat(fetched).contains("Subject: metrics");
        given().auth().preemptive().basic("admin", ADMIN).contentType(ContentType.JSON).body(Map.of("passphrase", "a-long-backup-passphrase"))
                .put("/api/backup/settings").then().statusCode(200);
        given().auth().preemptive().basic("admin", ADMIN).post("/api/backups").then().statusCode(202);
        backups.awaitIdle(Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(60)).until(() -> value(metrics(), "mailkeep_deliveries_total", "") >= 1);

        String metrics = metrics();
        List<String> documented = documented();
        assertThat(documented).hasSizeGreaterThan(25);
        for (String name : documented) {
            assertThat(metrics).as("documented metric " + name).containsPattern("(?m)^" + name + "(_count|_sum|_max)?[{ ]");
        }
        assertThat(value(metrics, "mailkeep_smtp_messages_accepted_total", "listener=\"mx\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_smtp_rejected_total", "")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_imap_sessions_total", "listener=\"imaps\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_imap_command_seconds_count", "command=\"AUTHENTICATE\"")).isGreaterThanOrEqualTo(1); // curl's login
        assertThat(value(metrics, "mailkeep_imap_command_seconds_count", "command=\"FETCH\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_deliveries_total", "route=\"direct\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_policy_decisions_total", "check=\"dnsbl\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_policy_decisions_total", "check=\"antivirus\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_dnsbl_checks_total", "result=\"clean\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_antivirus_scans_total", "result=\"clean\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "mailkeep_backup_runs_total", "result=\"success\"")).isEqualTo(1);
        assertThat(value(metrics, "mailkeep_backup_size_bytes_sum", "")).isPositive();
        assertThat(value(metrics, "mailkeep_backup_last_success_timestamp_seconds", ""))
                .isGreaterThan(System.currentTimeMillis() / 1000.0 - 600);
        assertThat(value(metrics, "mailkeep_certificate_expiry_timestamp_seconds", "")).isGreaterThan(System.currentTimeMillis() / 1000.0);
        assertThat(value(metrics, "mailkeep_led_state", "")).isEqualTo(1); // exactly one state is the current one
        assertThat(value(metrics, "process_resident_memory_bytes", "")).isGreaterThan(16 << 20);
        assertThat(value(metrics, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
    }

    static int port(String key) {
        return ApplianceTestResource.PORTS.get(key);
    }
}
