package org.mailkeep.policy;

import java.util.List;

/**
 * What an inbound check decides at one stage: accept (possibly adding headers, a spam score or routing to
 * Junk), fail temporarily, or reject. {@code reason} goes to the audit log; {@code text} to the client.
 */
public record Verdict(Action action, String code, String enhancedCode, String text, List<String> headers, double score, boolean junk,
                      String reason) {

    public enum Action { ACCEPT, TEMPFAIL, REJECT }

    public static final Verdict ACCEPT = new Verdict(Action.ACCEPT, null, null, null, List.of(), 0, false, null);

    /** Accepts and adds header fields (full lines without CRLF, e.g. "Authentication-Results: ..."). */
    public static Verdict tag(List<String> headers, double score, boolean junk, String reason) {
        return new Verdict(Action.ACCEPT, null, null, null, List.copyOf(headers), score, junk, reason);
    }

    public static Verdict reject(String code, String enhancedCode, String text, String reason) {
        return new Verdict(Action.REJECT, code, enhancedCode, text, List.of(), 0, false, reason);
    }

    public static Verdict tempfail(String code, String enhancedCode, String text, String reason) {
        return new Verdict(Action.TEMPFAIL, code, enhancedCode, text, List.of(), 0, false, reason);
    }

    public boolean accepted() {
        return action == Action.ACCEPT;
    }
}
