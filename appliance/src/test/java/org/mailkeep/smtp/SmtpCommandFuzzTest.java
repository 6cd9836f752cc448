package org.mailkeep.smtp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mailkeep.store.Address;

import java.util.Locale;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the SMTP command line parser ({@link SmtpCommand}) and the mailbox parser behind MAIL FROM/RCPT TO
 * ({@link Address}). Neither has a bad-input exception: a bad line is an unknown verb, a bad path is empty. Checked:
 * the verb is one upper-case word (RFC 5321 §4.1.1: verbs are case-insensitive), the argument has no outer
 * whitespace, a path's address is normalised (parsing it again gives itself) and ESMTP keywords follow
 * RFC 5321 §4.1.2 {@code esmtp-keyword}.
 */
class SmtpCommandFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void command(FuzzedDataProvider data) {
        boolean nullAllowed = data.consumeBoolean();
        String line = data.consumeRemainingAsString();
        SmtpCommand command = SmtpCommand.parse(line);
        assertThat(command.verb()).doesNotContain(" ").isEqualTo(command.verb().toUpperCase(Locale.ROOT));
        assertThat(command.argument()).isEqualTo(command.argument().strip());
        for (String prefix : new String[] {"FROM", "TO"}) {
            Optional<SmtpCommand.PathArgument> path = SmtpCommand.path(command.argument(), prefix, nullAllowed);
            if (path.isEmpty()) {
                continue;
            }
            String address = path.get().address();
            if (address.isEmpty()) {
                assertThat(nullAllowed).as("null path accepted only where allowed").isTrue();
            } else {
                assertThat(Address.parse(address).map(Address::toString)).as("address normalised").contains(address);
                assertThat(address.length()).isLessThanOrEqualTo(254);
            }
            path.get().parameters().keySet().forEach(key -> assertThat(key).matches("[A-Z0-9][A-Z0-9-]*"));
        }
        Address.parse(line).ifPresent(a -> assertThat(Address.parse(a.toString())).contains(a));
    }
}
