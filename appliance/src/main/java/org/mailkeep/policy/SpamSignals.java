package org.mailkeep.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The spam-score ledger of one transaction. A check that scores something records a named rule here and returns the
 * same points in its {@link Verdict}, so the chain's total and the ledger agree; {@link SpamScoreCheck} turns the
 * ledger into X-Spam-Score / X-Spam-Status and the Junk or reject decision. Signals of the connect stage are kept
 * with the connection, so they survive RSET like the connection they describe.
 */
public final class SpamSignals {

    public record Signal(String rule, double points, String detail) {
    }

    private SpamSignals() {
    }

    /** Records a rule for this transaction and returns an accepting verdict carrying its points. */
    public static Verdict score(SmtpContext context, String rule, double points, String detail) {
        context.transactionSignals.add(new Signal(rule, points, detail));
        return Verdict.tag(List.of(), points, false, rule + " (" + points + "): " + detail);
    }

    /** Records a rule about the connection (connect stage) and returns an accepting verdict carrying its points. */
    public static Verdict scoreConnection(SmtpContext context, String rule, double points, String detail) {
        context.connectionSignals.add(new Signal(rule, points, detail));
        return Verdict.tag(List.of(), points, false, rule + " (" + points + "): " + detail);
    }

    /** Every signal recorded so far, connection ones first. */
    public static List<Signal> all(SmtpContext context) {
        List<Signal> all = new ArrayList<>(context.connectionSignals);
        all.addAll(context.transactionSignals);
        return all;
    }
}
