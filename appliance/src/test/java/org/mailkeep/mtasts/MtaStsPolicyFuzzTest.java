package org.mailkeep.mtasts;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the MTA-STS policy parser ({@link MtaStsPolicy}, RFC 8461 §3.2): the body any receiving domain serves over
 * HTTPS. The one bad-input outcome is IllegalArgumentException (the policy is not used); anything else is a crash.
 * Checked: a parsed policy keeps max_age within the RFC's limit, lists an mx unless its mode is none, survives its
 * own serialisation ({@link MtaStsPolicy#body()}, the cache form) unchanged, and MX matching (§4.1) never throws.
 */
class MtaStsPolicyFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void policy(FuzzedDataProvider data) {
        String mxHost = data.consumeString(100);
        String body = data.consumeRemainingAsString();
        MtaStsPolicy policy;
        try {
            policy = MtaStsPolicy.parse("fuzz", body);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertThat(policy.maxAgeSeconds()).isBetween(0L, MtaStsPolicy.MAX_AGE_LIMIT);
        assertThat(policy.mode() == MtaStsPolicy.Mode.NONE || !policy.mx().isEmpty()).isTrue();
        boolean matches = policy.matches(mxHost);
        MtaStsPolicy again = MtaStsPolicy.parse("fuzz", policy.body());
        assertThat(again).isEqualTo(policy);
        assertThat(again.matches(mxHost)).isEqualTo(matches);
    }
}
