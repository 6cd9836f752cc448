package org.mailkeep.dns;

/**
 * A DNS record the owner must publish at their DNS provider for mail to work (RFC 1035 presentation:
 * {@code name} fully qualified without the final dot, {@code value} as users paste it), and why ({@code group}).
 */
public record PublishedRecord(RecordGroup group, String type, String name, String value, String purpose) {
}
