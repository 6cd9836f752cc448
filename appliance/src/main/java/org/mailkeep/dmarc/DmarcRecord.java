package org.mailkeep.dmarc;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A DMARC policy record (RFC 7489 §6.3), parsed; pure, no DNS. */
public record DmarcRecord(Policy policy, Policy subdomainPolicy, int pct, boolean strictDkim, boolean strictSpf) {

    public enum Policy { NONE, QUARANTINE, REJECT }

    /** Parses a record; empty when it is not a valid DMARC record (§6.6.3: such a record is ignored). */
    public static Optional<DmarcRecord> parse(String text) {
        String[] parts = text.split(";");
        if (parts.length == 0 || !parts[0].strip().replace(" ", "").equals("v=DMARC1")) {
            return Optional.empty(); // §6.4: v=DMARC1 must come first, exactly
        }
        Map<String, String> tags = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                tags.putIfAbsent(parts[i].substring(0, eq).strip().toLowerCase(Locale.ROOT), parts[i].substring(eq + 1).strip());
            }
        }
        Policy p = policy(tags.get("p"));
        if (p == null) {
            // §6.6.3: without a valid p, a record with a valid rua is treated as p=none; otherwise it is not a record
            if (!tags.containsKey("rua")) {
                return Optional.empty();
            }
            p = Policy.NONE;
        }
        Policy sp = policy(tags.get("sp"));
        int pct = 100;
        String pctText = tags.get("pct");
        if (pctText != null && pctText.matches("[0-9]{1,3}")) {
            pct = Math.min(100, Integer.parseInt(pctText));
        }
        return Optional.of(new DmarcRecord(p, sp == null ? p : sp, pct, "s".equalsIgnoreCase(tags.get("adkim")),
                "s".equalsIgnoreCase(tags.get("aspf"))));
    }

    private static Policy policy(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> Policy.NONE;
            case "quarantine" -> Policy.QUARANTINE;
            case "reject" -> Policy.REJECT;
            default -> null;
        };
    }
}
