package org.mailkeep.dmarc;

/**
 * One DKIM signature's verification result as DMARC needs it (RFC 7489 §4.2): the signing domain d= and whether the
 * signature verified. The DKIM verifier leaves a {@code List<DkimResult>} in the context under
 * {@link DmarcCheck#DKIM_RESULTS}.
 */
public record DkimResult(String domain, boolean pass) {
}
