package org.mailkeep.queue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailkeep.dkim.DkimKeys;
import org.mailkeep.dkim.DkimRecords;
import org.mailkeep.dkim.DkimVerifier;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;
import org.mailkeep.testsupport.DkimTools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;

/** Direct delivery to the Postfix MX peer (example.net MX → 127.0.0.1, port 2525), DKIM, bounces, restart. */
@QuarkusTest
@QuarkusTestResource(value = OutboundTestResource.class, restrictToAnnotatedClass = true,
        initArgs = {@ResourceArg(name = "port", value = "2525"), @ResourceArg(name = "preload", value = "true"),
                @ResourceArg(name = "retry-initial", value = "1h"), @ResourceArg(name = "retry-max", value = "1h")})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectDeliveryTest {

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
    DkimVerifier verifier;

    @Test
    @Order(1)
    void mailQueuedBeforeTheRestartIsDelivered() throws Exception {
        OutboundMail.awaitStored(OutboundTestResource.PRELOADED_MARKER, Duration.ofSeconds(30));
        OutboundMail.setUp();
    }

    @Test
    @Order(2)
    void deliversSignedMailThatOpendkimAndDkimverifyAccept() throws Exception {
        Map<String, String> published = OutboundMail.publishDkim(records, keys);
        String marker = "direct-" + System.nanoTime();
        OutboundMail.enqueue(store, queue, "bob@example.net", marker);
        Path stored = OutboundMail.awaitStored(marker, Duration.ofSeconds(30));
        String copy = Files.readString(stored, StandardCharsets.UTF_8);
        assertThat(copy).contains("Grüße, " + marker).contains("\n.a line starting with a dot").contains("from mail.example.test")
                .contains("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test")
                .contains("a=ed25519-sha256").contains("h=from:from:subject:date:message-id:to:"); // From oversigned
        assertThat(DkimTools.opendkim(stored, published)).containsPattern("verification \\(s=\\w+, d=example.test, 2048-bit key\\) succeeded");
        assertThat(DkimTools.dkimverify(stored, 0)).contains("signature ok");
        assertThat(DkimTools.dkimverify(stored, 1)).contains("signature ok");
        assertThat(verifier.verify(stored)).extracting(DkimVerifier.Result::result)
                .containsExactly(DkimVerifier.Outcome.PASS, DkimVerifier.Outcome.PASS);
        // removed after the 250: the queue is empty and the message file is gone
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.pendingRecipients() == 0);
        OutboundMail.admin().get("/api/queue").then().statusCode(200).body("$", empty());
    }

    @Test
    @Order(3)
    void nullMxAndMissingDomainBounceAtOnceIntoTheSendersInbox() throws Exception {
        DkimTools.publishTxt("nullmx.example.test", "\"v=spf1 -all\"");
        DkimTools.run(java.util.List.of("nsupdate", "-k", DkimTools.PEERS.resolve("bind/ddns.key").toString()),
                "server 127.0.0.1 5353\nzone example.test\nupdate add nullmx.example.test. 60 MX 0 .\nsend\n");
        String marker = "nullmx-" + System.nanoTime();
        OutboundMail.enqueue(store, queue, "someone@nullmx.example.test", marker);
        OutboundMail.enqueue(store, queue, "someone@no-such-domain-" + System.nanoTime() + ".example.test", marker);
        await().atMost(Duration.ofSeconds(20)).until(() -> OutboundMail.inbox(db, store, "alice@example.test").stream()
                .filter(m -> m.contains(marker)).count() == 2);
        String nullMx = OutboundMail.inbox(db, store, "alice@example.test").stream().filter(m -> m.contains("Status: 5.1.10")).findFirst().orElseThrow();
        assertThat(nullMx).contains("Content-Type: multipart/report; report-type=delivery-status")
                .contains("Content-Type: message/delivery-status").contains("Final-Recipient: rfc822; someone@nullmx.example.test")
                .contains("Action: failed").contains("null MX").contains("Content-Type: text/rfc822-headers").contains("Subject: outbound " + marker);
        assertThat(OutboundMail.inbox(db, store, "alice@example.test")).anySatisfy(m -> assertThat(m).contains("Status: 5.1.2").contains("NXDOMAIN"));
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.pendingRecipients() == 0);
    }

    @Test
    @Order(4)
    void mailLoopsBounce() throws Exception {
        String marker = "loop-" + System.nanoTime();
        Path spool = store.newSpoolFile();
        Files.writeString(spool, "Received: from a by b; Sun, 29 Nov 2026 14:00:00 +0000\r\n".repeat(60)
                + OutboundMail.message("alice@example.test", "bob@example.net", marker));
        queue.enqueue(spool, "alice@example.test", java.util.List.of("bob@example.net"), "alice@example.test");
        await().atMost(Duration.ofSeconds(20)).until(() -> OutboundMail.inbox(db, store, "alice@example.test").stream()
                .anyMatch(m -> m.contains(marker) && m.contains("Status: 5.4.6") && m.contains("mail loop")));
        assertThat(OutboundMail.stored(marker)).isEmpty();
    }

    @Test
    @Order(5)
    void retryNowAndDeleteWithOrWithoutBounce() throws Exception {
        DkimTools.run(java.util.List.of("nsupdate", "-k", DkimTools.PEERS.resolve("bind/ddns.key").toString()),
                "server 127.0.0.1 5353\nzone example.test\nupdate add closed.example.test. 60 MX 10 closedmx.example.test.\n"
                        + "update add closedmx.example.test. 60 A 127.0.0.2\nsend\n");
        String marker = "admin-" + System.nanoTime();
        long kept = OutboundMail.enqueue(store, queue, "ivan@closed.example.test", marker);
        long dropped = OutboundMail.enqueue(store, queue, "judy@closed.example.test", marker + "-drop");
        String attempts = "find { it.id == " + kept + " }.recipients[0].attempts";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> OutboundMail.admin().get("/api/queue").then().body(attempts, org.hamcrest.Matchers.equalTo(1)));
        // the next attempt is an hour away; "retry now" makes it due at once
        OutboundMail.admin().post("/api/queue/" + kept + "/retry").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> OutboundMail.admin().get("/api/queue").then().body(attempts, org.hamcrest.Matchers.equalTo(2))
                .body("find { it.id == " + kept + " }.recipients[0].nextAttemptAt", org.hamcrest.Matchers.greaterThan(System.currentTimeMillis() + 3_000_000)));
        OutboundMail.admin().delete("/api/queue/" + dropped + "?bounce=false").then().statusCode(200).body("removed", org.hamcrest.Matchers.equalTo("dropped"));
        OutboundMail.admin().delete("/api/queue/" + kept).then().statusCode(200).body("removed", org.hamcrest.Matchers.equalTo("bounced"));
        OutboundMail.admin().delete("/api/queue/" + kept).then().statusCode(404);
        OutboundMail.admin().post("/api/queue/" + kept + "/retry").then().statusCode(404);
        assertThat(OutboundMail.inbox(db, store, "alice@example.test")).anySatisfy(m -> assertThat(m).contains(marker)
                .contains("removed from the queue by the administrator").contains("Final-Recipient: rfc822; ivan@closed.example.test"));
        assertThat(OutboundMail.inbox(db, store, "alice@example.test")).noneMatch(m -> m.contains(marker + "-drop"));
        assertThat(queue.pendingRecipients()).isZero();
    }
}
