package org.mailkeep.dkim;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dns.PublishedRecord;
import org.mailkeep.dns.RecordGroup;
import org.mailkeep.dns.RecordSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DKIM key records (RFC 6376 §3.6.2.2) of a domain for {@code GET /api/dns/records}: the signing keys,
 * plus the next keys of a rotation (publish before activating) and the previous ones (keep until mail signed
 * with them has arrived). Values are in zone-file form, split into quoted strings of at most 255 bytes
 * (RFC 1035 §3.3.14 character-strings; a 2048-bit RSA key does not fit in one).
 */
@ApplicationScoped
public class DkimRecords implements RecordSource {

    static final int MAX_STRING = 255;

    private final DkimKeys keys;

    public DkimRecords(DkimKeys keys) {
        this.keys = keys;
    }

    @Override
    public List<PublishedRecord> records(String domain, String hostname) {
        List<PublishedRecord> records = new ArrayList<>();
        for (Map.Entry<DkimKeys.Role, List<DkimKeys.SigningKey>> entry : keys.publishedKeys(domain).entrySet()) {
            String purpose = switch (entry.getKey()) {
                case ACTIVE -> "DKIM key that signs outgoing mail";
                case NEXT -> "next DKIM key: publish it now, activate it once it is visible";
                case PREVIOUS -> "previous DKIM key: keep it a few days after the rotation, then remove it";
            };
            for (DkimKeys.SigningKey key : entry.getValue()) {
                records.add(new PublishedRecord(RecordGroup.SEND, "TXT", key.selector() + "._domainkey." + domain,
                        quotedStrings(DkimKeys.txtValue(key)), purpose + " (" + key.algorithm().tag() + ")"));
            }
        }
        return records;
    }

    /** {@code "part1" "part2"}: the value cut into character-strings of at most 255 bytes (the value is ASCII). */
    static String quotedStrings(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += MAX_STRING) {
            parts.add("\"" + new String(bytes, i, Math.min(MAX_STRING, bytes.length - i), StandardCharsets.US_ASCII) + "\"");
        }
        return String.join(" ", parts);
    }
}
