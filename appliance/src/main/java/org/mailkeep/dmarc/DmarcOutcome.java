package org.mailkeep.dmarc;

/**
 * A DMARC evaluation (RFC 7489 §6.6): the result for Authentication-Results (pass, fail, none, temperror, permerror;
 * RFC 8601 §2.7 / RFC 7489 §11.2), the RFC5322.From domain, the disposition to apply after pct sampling, and whether an
 * aligned SPF or DKIM pass authenticated the From domain at all (the anti-spoofing rule uses this even when the domain
 * publishes no DMARC record).
 */
public record DmarcOutcome(String result, String fromDomain, DmarcRecord.Policy disposition, boolean aligned, String detail) {
}
