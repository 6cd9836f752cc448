package org.mailkeep.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The records to publish as a fragment of a zone file in the master-file format (RFC 1035 §5.1), as BIND and
 * most DNS providers' "import zone" pages read it: absolute names (a final dot, so no $ORIGIN is needed), one
 * record per line, grouped by {@link RecordGroup} under comment headings. dnsjava parses each value and writes the
 * record; TXT values become quoted character-strings of at most 255 octets (RFC 1035 §3.3.14), escaped as §5.1 says. What does not belong in the domain's zone (the
 * PTR, which lives in the ISP's reverse zone; a host name in another domain) and values not known yet are
 * written as comments, so the fragment loads as it is.
 */
public final class ZoneFile {

    /** One hour: long enough to cache, short enough that a mistake is fixed within the hour. */
    static final long TTL = 3600;

    private ZoneFile() {
    }

    /** The fragment for {@code domain} (ASCII, without the final dot); records in the order given (grouped by the caller). */
    public static String render(String domain, String hostname, List<PublishedRecord> records) {
        StringBuilder out = new StringBuilder()
                .append("; DNS records for ").append(domain).append(", mail host ").append(hostname).append(" (MailKeep)\n")
                .append("; A zone-file fragment (RFC 1035 section 5.1): add it to the zone of ").append(domain)
                .append(" or import it at your DNS provider.\n");
        RecordGroup group = null;
        for (PublishedRecord r : records) {
            if (r.group() != group) {
                group = r.group();
                out.append('\n').append("; ").append(heading(group)).append('\n');
            }
            line(out, domain, r);
        }
        return out.toString();
    }

    private static String heading(RecordGroup group) {
        return switch (group) {
            case RECEIVE -> "Needed to receive mail";
            case SEND -> "Needed to send mail well (without them big providers refuse or junk your mail)";
            case RECOMMENDED -> "Recommended";
        };
    }

    private static void line(StringBuilder out, String domain, PublishedRecord r) {
        String name = r.name().toLowerCase(Locale.ROOT);
        if (r.value() == null || r.value().isBlank()) {
            out.append("; ").append(name).append(". ").append(r.type()).append(": the value is not known yet (").append(r.purpose()).append(")\n");
            return;
        }
        String text;
        try {
            text = presentation(r);
        } catch (IOException | IllegalArgumentException e) {
            out.append("; ").append(name).append(". ").append(r.type()).append(' ').append(r.value()).append(": cannot be written (")
                    .append(e.getMessage()).append(")\n");
            return;
        }
        boolean inZone = name.equals(domain) || name.endsWith("." + domain);
        if (r.type().equals("PTR")) {
            out.append("; Reverse DNS, in your ISP's zone, not yours: ask your ISP or hosting provider for this record\n; ").append(text).append('\n');
        } else if (!inZone) {
            out.append("; In another zone than ").append(domain).append(": publish it there\n; ").append(text).append('\n');
        } else {
            out.append(text).append('\n');
        }
    }

    /** One record's line: dnsjava's presentation, except TXT, whose character-strings are written here (see {@link #txtString}). */
    static String presentation(PublishedRecord r) throws IOException {
        Record record = record(r);
        if (record.getType() != Type.TXT) {
            return record.toString();
        }
        // from the value itself: dnsjava's TXT constructor would read backslashes in it as escapes
        StringBuilder line = new StringBuilder().append(record.getName()).append('\t').append(TTL).append("\tIN\tTXT\t");
        List<String> strings = TxtValues.split(TxtValues.unquote(r.value()));
        for (int i = 0; i < strings.size(); i++) {
            line.append(i == 0 ? "" : " ").append(txtString(strings.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        return line.toString();
    }

    /**
     * A character-string in quotes (RFC 1035 §5.1): a quote and a backslash get a backslash before them, any other
     * octet outside printable ASCII is written as \DDD (decimal).
     */
    static String txtString(byte[] octets) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : octets) {
            int c = b & 0xff;
            if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format(Locale.ROOT, "\\%03d", c));
            } else {
                out.append((char) c);
            }
        }
        return out.append('"').toString();
    }

    /** The record in dnsjava's form: names in the value are absolute (relative to the root). */
    static Record record(PublishedRecord r) throws IOException {
        Name name = Name.fromString(r.name().endsWith(".") ? r.name() : r.name() + ".");
        int type = Type.value(r.type());
        if (type < 0) {
            throw new TextParseException("unknown record type " + r.type());
        }
        if (type == Type.TXT) {
            return new TXTRecord(name, DClass.IN, TTL, ""); // the name and type; the line is written from the value
        }
        return Record.fromString(name, type, DClass.IN, TTL, r.value(), Name.root);
    }
}
