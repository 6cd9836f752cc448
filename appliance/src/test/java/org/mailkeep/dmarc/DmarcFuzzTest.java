package org.mailkeep.dmarc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mailkeep.checks.DmarcCheck;
import org.mailkeep.policy.HeaderBlock;
import org.mailkeep.testsupport.TxtResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes what DMARC reads from outside: the policy record from DNS ({@link DmarcRecord}, RFC 7489 §6.3) and the
 * From domain of the message header (mime4j's header parsing in {@link HeaderBlock}, {@link DmarcCheck#fromDomain},
 * the organizational domain of {@link PublicSuffixList}), end to end through {@link DmarcEvaluator}. None of these
 * has a bad-input exception: an invalid record is no record (§6.6.3), an unusable From is no From. Checked: a parsed
 * record is complete (p, sp, pct in 0..100) and survives being written out and parsed again; an organizational
 * domain is a suffix of its domain and its own organizational domain (§3.2); the header stays within
 * {@link HeaderBlock}'s bounds.
 */
class DmarcFuzzTest {

    private static final PublicSuffixList SUFFIXES = PublicSuffixList.bundled();
    private static final Path MESSAGE;

    static {
        try {
            MESSAGE = Files.createTempFile("dmarc-fuzz", ".eml");
            MESSAGE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void record(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Optional<DmarcRecord> record = DmarcRecord.parse(text);
        record.ifPresent(r -> {
            assertThat(r.policy()).isNotNull();
            assertThat(r.subdomainPolicy()).isNotNull();
            assertThat(r.pct()).isBetween(0, 100);
            assertThat(DmarcRecord.parse(write(r))).contains(r);
        });
    }

    @FuzzTest(maxDuration = "10s")
    void message(FuzzedDataProvider data) throws IOException {
        String recordText = data.consumeString(400);
        int percentile = data.consumeInt(0, 99);
        Files.write(MESSAGE, data.consumeRemainingAsBytes());
        HeaderBlock header = HeaderBlock.read(MESSAGE);
        assertThat(header.fields().size()).isLessThanOrEqualTo(1000);
        Optional<String> from = DmarcCheck.fromDomain(header);
        if (from.isEmpty()) {
            return;
        }
        String domain = from.get();
        String org = SUFFIXES.organizationalDomain(domain);
        String normalized = domain.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        assertThat(normalized).as("organizational domain of %s", domain).endsWith(org);
        assertThat(SUFFIXES.organizationalDomain(org)).isEqualTo(org);
        DmarcOutcome outcome = new DmarcEvaluator(new TxtResolver(recordText), SUFFIXES, () -> percentile).evaluate(domain, null, List.of());
        assertThat(outcome.result()).isIn("none", "fail", "temperror"); // nothing passes without SPF or DKIM
        assertThat(outcome.disposition()).isNotNull();
    }

    /** A record in the form RFC 7489 §6.4 describes, with every tag the parser keeps. */
    private static String write(DmarcRecord r) {
        return "v=DMARC1; p=" + r.policy().name().toLowerCase(Locale.ROOT) + "; sp=" + r.subdomainPolicy().name().toLowerCase(Locale.ROOT)
                + "; pct=" + r.pct() + "; adkim=" + (r.strictDkim() ? "s" : "r") + "; aspf=" + (r.strictSpf() ? "s" : "r");
    }
}
