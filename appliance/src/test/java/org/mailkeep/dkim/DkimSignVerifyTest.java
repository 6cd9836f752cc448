package org.mailkeep.dkim;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Settings;
import org.mailkeep.store.StoreSchema;
import org.mailkeep.testsupport.DkimTools;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Signing and verifying against each other, against opendkim and dkimverify, with keys published in the local BIND. */
class DkimSignVerifyTest {

    static final String MESSAGE = """
            From: Alice <alice@example.test>\r
            To: bob@example.net\r
            Subject: DKIM test with a   folded\r
            \t subject line and trailing spaces   \r
            Date: Sun, 29 Nov 2026 14:00:00 +0000\r
            Message-ID: <dkim-test@example.test>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            Grüße aus dem Test.  Whitespace   runs \t and trailing space \r
            .leading dot line\r
            \r
            \r
            """;

    @TempDir
    static Path dir;
    static DkimKeys keys;
    static List<DkimKeys.SigningKey> signing;
    static DkimVerifier verifier = new DkimVerifier(new DnsjavaResolver(List.of("127.0.0.1:5353")));

    @BeforeAll
    static void keysPublishedInBind() throws Exception {
        DataDirectory data = new DataDirectory(dir);
        Settings settings = new Settings(new Database(data, List.of(new StoreSchema()), Integer.MAX_VALUE));
        keys = new DkimKeys(data, settings);
        signing = keys.signingKeys("example.test");
        for (var record : new DkimRecords(keys).records("example.test", "mail.example.test")) {
            DkimTools.publishTxt(record.name(), record.value());
        }
    }

    static byte[] signed(String message) throws Exception {
        List<String> signatures = DkimSigner.sign(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)), signing,
                System.currentTimeMillis() / 1000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : signatures) {
            out.writeBytes((s + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(message.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void bothSignaturesVerifyWithOurVerifier() throws Exception {
        List<DkimVerifier.Result> results = verifier.verify(new ByteArrayInputStream(signed(MESSAGE)));
        assertThat(results).extracting(DkimVerifier.Result::result).containsExactly(DkimVerifier.Outcome.PASS, DkimVerifier.Outcome.PASS);
        assertThat(results).extracting(DkimVerifier.Result::algorithm).containsExactly("rsa-sha256", "ed25519-sha256");
        assertThat(results).allSatisfy(r -> assertThat(r.domain()).isEqualTo("example.test"));
    }

    @Test
    void tamperedBodyAndHeaderFail() throws Exception {
        String signed = new String(signed(MESSAGE), StandardCharsets.UTF_8);
        List<DkimVerifier.Result> body = verifier.verify(new ByteArrayInputStream(signed.replace("Test.", "Text.").getBytes(StandardCharsets.UTF_8)));
        assertThat(body).allSatisfy(r -> {
            assertThat(r.result()).isEqualTo(DkimVerifier.Outcome.FAIL);
            assertThat(r.reason()).contains("body hash");
        });
        // a second From added in transit breaks the oversigned From
        List<DkimVerifier.Result> from = verifier.verify(new ByteArrayInputStream(
                signed.replace("From: Alice", "From: Mallory <m@evil.test>\r\nFrom: Alice").getBytes(StandardCharsets.UTF_8)));
        assertThat(from).extracting(DkimVerifier.Result::result).containsOnly(DkimVerifier.Outcome.FAIL);
    }

    @Test
    void relaxedCanonicalizationSurvivesWhitespaceChanges() throws Exception {
        String signed = new String(signed(MESSAGE), StandardCharsets.UTF_8);
        String rewrapped = signed.replace("Subject: DKIM test with a   folded", "subject:DKIM test with a folded").replace("\r\n\r\n\r\n", "\r\n");
        assertThat(verifier.verify(new ByteArrayInputStream(rewrapped.getBytes(StandardCharsets.UTF_8))))
                .extracting(DkimVerifier.Result::result).containsOnly(DkimVerifier.Outcome.PASS);
    }

    @Test
    void unknownSelectorIsPermerrorAndUnsignedIsEmpty() throws Exception {
        String signed = new String(signed(MESSAGE), StandardCharsets.UTF_8);
        String other = signed.replaceAll("s=" + signing.get(0).selector(), "s=nosuchselector");
        assertThat(verifier.verify(new ByteArrayInputStream(other.getBytes(StandardCharsets.UTF_8))).get(0).result())
                .isEqualTo(DkimVerifier.Outcome.PERMERROR);
        assertThat(verifier.verify(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.UTF_8)))).isEmpty();
        String garbage = "DKIM-Signature: v=1; a=rsa-sha1; d=example.test; s=x; h=from; bh=AAAA; b=AAAA\r\n" + MESSAGE;
        assertThat(verifier.verify(new ByteArrayInputStream(garbage.getBytes(StandardCharsets.UTF_8))).get(0).result())
                .isEqualTo(DkimVerifier.Outcome.NEUTRAL);
    }

    @Test
    void opendkimAndDkimverifyAgree() throws Exception {
        Path file = dir.resolve("signed.eml");
        Files.write(file, signed(MESSAGE));
        Map<String, String> published = new LinkedHashMap<>();
        for (DkimKeys.SigningKey key : signing) {
            published.put(key.selector() + "._domainkey.example.test", DkimKeys.txtValue(key));
        }
        String opendkim = DkimTools.opendkim(file, published);
        assertThat(opendkim).containsPattern("verification \\(s=" + signing.get(0).selector() + ", d=example.test, \\d+-bit key\\) succeeded");
        assertThat(DkimTools.dkimverify(file, 0)).contains("signature ok");
        assertThat(DkimTools.dkimverify(file, 1)).contains("signature ok");
    }

    @Test
    void recordsAreSplitIntoStringsOf255Bytes() {
        var records = new DkimRecords(keys).records("example.test", "mail.example.test");
        assertThat(records).hasSize(2);
        var rsa = records.stream().filter(r -> r.name().startsWith(signing.get(0).selector())).findFirst().orElseThrow();
        assertThat(rsa.value()).startsWith("\"v=DKIM1; k=rsa; p=").contains("\" \"");
        for (String part : rsa.value().split("\" \"")) {
            assertThat(part.replace("\"", "").length()).isLessThanOrEqualTo(255);
        }
    }
}
