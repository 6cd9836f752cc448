package org.mailkeep.dnsbl;

import org.mailkeep.dns.Resolver;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/** One DNS list (RFC 5782) queried over our resolver: a blocklist or an allowlist, with the weight of its listings. */
public record DnsList(String zone, double weight) {

    /** A listing: the A answer and the TXT reason if the list gives one. */
    public record Listing(String zone, double weight, String code, String reason) {
    }

    /** Parses {@code zone[:weight]}. */
    public static DnsList parse(String entry) {
        String e = entry.trim();
        int colon = e.lastIndexOf(':');
        if (colon < 0) {
            return new DnsList(e, 1.0);
        }
        try {
            return new DnsList(e.substring(0, colon), Double.parseDouble(e.substring(colon + 1)));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("invalid DNS list entry '" + entry + "': the weight after ':' must be a number");
        }
    }

    /** The query name of §2.1 (IPv4: reversed octets) or §2.4 (IPv6: reversed nibbles) in this zone. */
    public String queryName(InetAddress ip) {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = ip.getAddress();
        for (int i = bytes.length - 1; i >= 0; i--) {
            int b = bytes[i] & 0xff;
            if (ip instanceof Inet4Address) {
                sb.append(b).append('.');
            } else {
                sb.append(Character.forDigit(b & 0xf, 16)).append('.').append(Character.forDigit(b >> 4, 16)).append('.');
            }
        }
        return sb.append(zone).toString();
    }

    /**
     * Looks {@code ip} up. Only answers in 127.0.0.0/8 count as listings (§2.3); 127.255.255.x are the error codes
     * big lists use for refused or rate-limited queries and count as "not listed", as do DNS failures (a list that
     * does not answer must not block mail).
     */
    public Optional<Listing> lookup(Resolver resolver, InetAddress ip) {
        String name = queryName(ip);
        Resolver.Answer answer = resolver.query(name, Type.A);
        List<String> codes = answer.records().stream().filter(r -> r instanceof ARecord).map(r -> ((ARecord) r).getAddress().getHostAddress())
                .filter(a -> a.startsWith("127.") && !a.startsWith("127.255.255.")).toList();
        if (codes.isEmpty()) {
            return Optional.empty();
        }
        String reason = null;
        Resolver.Answer txt = resolver.query(name, Type.TXT); // §2.1: the TXT record, if any, says why
        for (Record r : txt.records()) {
            if (r instanceof TXTRecord t) {
                reason = String.join("", t.getStrings());
                break;
            }
        }
        return Optional.of(new Listing(zone, weight, codes.get(0), reason));
    }
}
