package org.mailkeep.policy;

import jakarta.inject.Singleton;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;
import org.mailkeep.checks.PolicyChain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A few honest header heuristics for the spam score, each a named rule in X-Spam-Status: a Subject in ALL CAPS,
 * a missing Date or Message-ID (RFC 5322 §3.6 requires Date and asks for Message-ID; real mail programs always set
 * them), many addresses in To: (mass mail sent without Bcc), and a header section too large to read.
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class HeaderHeuristicsCheck implements InboundCheck {

    static final int MANY_RECIPIENTS = 15;
    static final int CAPS_MIN_LETTERS = 8;

    @Override
    public Verdict data(SmtpContext context, Path message) {
        if (context.listener() != SmtpContext.Listener.MX || context.authenticatedUser() != null) {
            return Verdict.ACCEPT;
        }
        HeaderBlock headers = context.headers(message);
        List<Verdict> scored = new ArrayList<>();
        Optional<String> subject = headers.first("Subject").map(s -> DecoderUtil.decodeEncodedWords(s, org.apache.james.mime4j.codec.DecodeMonitor.SILENT));
        if (subject.isPresent() && allCaps(subject.get())) {
            scored.add(SpamSignals.score(context, "SUBJECT_ALL_CAPS", 1.5, "Subject is in capitals"));
        }
        if (!headers.has("Date")) {
            scored.add(SpamSignals.score(context, "MISSING_DATE", 1.0, "no Date header"));
        }
        if (!headers.has("Message-ID")) {
            scored.add(SpamSignals.score(context, "MISSING_MESSAGE_ID", 1.0, "no Message-ID header"));
        }
        int to = headers.all("To").stream().mapToInt(HeaderHeuristicsCheck::countAddresses).sum();
        if (to > MANY_RECIPIENTS) {
            scored.add(SpamSignals.score(context, "MANY_TO", 1.5, to + " addresses in To"));
        }
        if (headers.truncated()) {
            scored.add(SpamSignals.score(context, "HEADER_OVERSIZED", 2.0, "header section exceeds the parser's limits"));
        }
        return Verdict.tag(List.of(), scored.stream().mapToDouble(Verdict::score).sum(), false,
                scored.isEmpty() ? null : String.join("; ", scored.stream().map(Verdict::reason).toList()));
    }

    /** The seed's rule 14: a subject with enough letters and none of them lower-case. */
    static boolean allCaps(String subject) {
        long letters = subject.codePoints().filter(Character::isLetter).count();
        return letters >= CAPS_MIN_LETTERS && subject.codePoints().noneMatch(Character::isLowerCase);
    }

    private static int countAddresses(String value) {
        try {
            AddressList list = DefaultAddressParser.DEFAULT.parseAddressList(value);
            return list.flatten().size();
        } catch (ParseException | RuntimeException e) {
            return value.split(",").length;
        }
    }
}
