package org.mailkeep.dkim;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.mailkeep.testsupport.TxtResolver;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes DKIM verification (RFC 6376 §6) with what a sender and its DNS control: the DKIM-Signature tag-list, the
 * key record, the header and the body. {@link DkimVerifier} has no bad-input exception (bad input is a NEUTRAL or
 * PERMERROR result; only a header section over {@link HeaderField#MAX_HEADER_BYTES} is an IOException, and fuzz
 * inputs are smaller). Checked: one result per DKIM-Signature field; a tag-list (§3.2) survives being written out
 * and parsed again; and, with a real key, any message we sign verifies (PASS) and fails (FAIL) once its body changed.
 */
class DkimFuzzTest {

    private static final long NOW = 1_767_225_600L; // 2026-01-01
    private static final DkimKeys.SigningKey KEY;

    static {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
        KEY = new DkimKeys.SigningKey("example.org", "fuzz", DkimAlgorithm.ED25519_SHA256, key,
                Base64.getEncoder().encodeToString(key.generatePublicKey().getEncoded()));
    }

    @FuzzTest(maxDuration = "10s")
    void tagList(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Optional<Map<String, String>> tags = DkimVerifier.tags(text);
        tags.ifPresent(t -> {
            t.forEach((name, value) -> {
                assertThat(name).matches("[A-Za-z][A-Za-z0-9_]*");
                assertThat(value).doesNotContain(" ", "\t", "\r", "\n", ";");
            });
            String written = t.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
            assertThat(DkimVerifier.tags(written)).contains(t);
        });
    }

    /** A message with any DKIM-Signature fields, verified against any key record. */
    @FuzzTest(maxDuration = "10s")
    void verify(FuzzedDataProvider data) throws IOException {
        String keyRecord = data.consumeString(600);
        byte[] message = data.consumeRemainingAsBytes();
        List<DkimVerifier.Result> results = new DkimVerifier(new TxtResolver(keyRecord)).verify(new ByteArrayInputStream(message), NOW);
        long signatures = HeaderField.readHeader(new BufferedInputStream(new ByteArrayInputStream(message))).stream()
                .filter(f -> f.lowerName().equals("dkim-signature")).count();
        assertThat(results).hasSize((int) signatures);
        results.forEach(r -> assertThat(r.result()).isNotNull());
    }

    /** Sign, verify: PASS; change the body: FAIL (§3.7 body hash). */
    @FuzzTest(maxDuration = "10s")
    void signThenVerify(byte[] message) throws IOException {
        if (message.length > 0 && (message[0] == ' ' || message[0] == '\t')) {
            return; // a message cannot start with a folded line: it would continue the signature field put on top
        }
        String signature = DkimSigner.sign(new ByteArrayInputStream(message), List.of(KEY), NOW).get(0);
        DkimVerifier verifier = new DkimVerifier(new TxtResolver(DkimKeys.txtValue(KEY)));
        assertThat(verifier.verify(new ByteArrayInputStream(signed(signature, message, "")), NOW).get(0).result())
                .isEqualTo(DkimVerifier.Outcome.PASS);
        assertThat(verifier.verify(new ByteArrayInputStream(signed(signature, message, "tampered\r\n")), NOW).get(0).result())
                .isEqualTo(DkimVerifier.Outcome.FAIL);
    }

    private static byte[] signed(String signature, byte[] message, String appended) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((signature + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(message);
        if (!appended.isEmpty()) {
            boolean endsWithLineEnd = message.length > 0 && message[message.length - 1] == '\n';
            out.writeBytes(((endsWithLineEnd ? "" : "\r\n") + appended).getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }
}
