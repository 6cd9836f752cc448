package org.mailkeep.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares one {@link PublishedRecord} with what the DNS answers now, through the one {@link Resolver}
 * (which does not cache negative answers, so a record just published shows up at once).
 */
public final class RecordCheck {

    private final Resolver resolver;

    public RecordCheck(Resolver resolver) {
        this.resolver = resolver;
    }

    public CheckedRecord check(PublishedRecord record) {
        int type = Type.value(record.type());
        if (type < 0) {
            return CheckedRecord.of(record, CheckedRecord.UNCHECKED, "unknown record type " + record.type());
        }
        if (record.value() == null || record.value().isBlank()) {
            return CheckedRecord.of(record, CheckedRecord.UNCHECKED, "the value to publish is not known yet");
        }
        Resolver.Answer answer = resolver.query(record.name(), type);
        switch (answer.status()) {
            case TEMP_FAIL:
                return CheckedRecord.of(record, CheckedRecord.UNCHECKED, "DNS query failed: " + answer.error());
            case NX_DOMAIN:
            case NO_DATA:
                return CheckedRecord.of(record, CheckedRecord.MISSING, null);
            default:
                break;
        }
        List<Record> found = answer.records().stream().filter(r -> r.getType() == type).toList();
        if (found.isEmpty()) {
            return CheckedRecord.of(record, CheckedRecord.MISSING, null);
        }
        return type == Type.TXT ? compareTxt(record, found) : compareRdata(record, type, found);
    }

    /** TXT: join each record's strings (RFC 7208 §3.3) and compare; only TXT records of the same kind make the check "wrong". */
    private static CheckedRecord compareTxt(PublishedRecord record, List<Record> found) {
        String expected = TxtValues.normalize(TxtValues.unquote(record.value()));
        String kind = TxtValues.kind(expected);
        List<String> sameKind = new ArrayList<>();
        for (Record r : found) {
            String value = TxtValues.join(((TXTRecord) r).getStrings());
            if (TxtValues.normalize(value).equals(expected)) {
                return CheckedRecord.of(record, CheckedRecord.OK, value);
            }
            if (kind.isEmpty() || TxtValues.kind(value).equals(kind)) {
                sameKind.add(value);
            }
        }
        return sameKind.isEmpty()
                ? CheckedRecord.of(record, CheckedRecord.MISSING, null)
                : CheckedRecord.of(record, CheckedRecord.WRONG, String.join(" | ", sameKind));
    }

    /** Other types: parse the expected presentation form with dnsjava and compare canonical rdata (names case-insensitively, RFC 4343). */
    private static CheckedRecord compareRdata(PublishedRecord record, int type, List<Record> found) {
        String expected;
        try {
            Record parsed = Record.fromString(Name.fromString(absolute(record.name())), type, DClass.IN, 0,
                    record.value(), Name.root);
            expected = parsed.rdataToString();
        } catch (IOException | RuntimeException e) {
            return CheckedRecord.of(record, CheckedRecord.UNCHECKED, "cannot parse the value to publish: " + e.getMessage());
        }
        List<String> values = new ArrayList<>();
        for (Record r : found) {
            String value = r.rdataToString();
            if (value.equalsIgnoreCase(expected)) {
                return CheckedRecord.of(record, CheckedRecord.OK, strip(value));
            }
            values.add(strip(value));
        }
        return CheckedRecord.of(record, CheckedRecord.WRONG, String.join(" | ", values));
    }

    static String absolute(String name) {
        return name.endsWith(".") ? name : name + ".";
    }

    /** Presentation without the root dot of absolute names, as PublishedRecord writes them. */
    private static String strip(String rdata) {
        return rdata.replaceAll("\\.(\\s|$)", "$1");
    }

    /** A TXT record holding {@code value} split into ≤255-octet strings, for publishing through RFC 2136. */
    public static Record txt(String name, long ttl, String value) throws TextParseException {
        return new TXTRecord(Name.fromString(absolute(name)), DClass.IN, ttl, TxtValues.split(value));
    }
}
