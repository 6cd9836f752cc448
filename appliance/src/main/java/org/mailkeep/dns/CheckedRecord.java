package org.mailkeep.dns;

/**
 * One row of {@code GET /api/dns/records}: the record to publish and its group, what a live query found, and the verdict.
 * {@code status} is ok, missing, wrong (then {@code found} holds what the query returned) or unchecked
 * (the query failed temporarily, or the value to publish is not known yet; {@code found} says why).
 */
public record CheckedRecord(RecordGroup group, String type, String name, String value, String purpose, String status, String found) {

    public static final String OK = "ok";
    public static final String MISSING = "missing";
    public static final String WRONG = "wrong";
    public static final String UNCHECKED = "unchecked";

    static CheckedRecord of(PublishedRecord record, String status, String found) {
        return new CheckedRecord(record.group(), record.type(), record.name(), record.value(), record.purpose(), status, found);
    }
}
