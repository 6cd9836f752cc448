package org.mailkeep.dns;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zone data held in memory, answering like an authoritative server: the form in which the RFC 7208 and RFC 7489 test
 * suites give their cases (a zone per case). Names marked with {@link #timeout} answer TEMP_FAIL. The integration tests
 * run the same code against the real BIND peer.
 */
public final class ZoneResolver implements Resolver {

    private final Map<String, List<Record>> records = new HashMap<>();
    private final Set<String> timeouts = new HashSet<>();
    private final List<String> queries = new ArrayList<>();

    private static Name name(String n) {
        try {
            return Name.fromString(n.endsWith(".") ? n : n + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String key(Name name) {
        return name.toString(true).toLowerCase();
    }

    private ZoneResolver add(Record r) {
        records.computeIfAbsent(key(r.getName()), k -> new ArrayList<>()).add(r);
        return this;
    }

    /** A TXT record; several strings make one record of several character-strings. */
    public ZoneResolver txt(String owner, String... strings) {
        return add(new TXTRecord(name(owner), DClass.IN, 60, List.of(strings)));
    }

    public ZoneResolver a(String owner, String address) {
        InetAddress ip = ip(address);
        return add(ip.getAddress().length == 4 ? new ARecord(name(owner), DClass.IN, 60, ip) : new AAAARecord(name(owner), DClass.IN, 60, ip));
    }

    public ZoneResolver mx(String owner, int priority, String host) {
        return add(new MXRecord(name(owner), DClass.IN, 60, priority, name(host)));
    }

    public ZoneResolver ptr(String address, String host) {
        return add(new PTRRecord(org.xbill.DNS.ReverseMap.fromAddress(ip(address)), DClass.IN, 60, name(host)));
    }

    public ZoneResolver timeout(String owner) {
        timeouts.add(key(name(owner)));
        return this;
    }

    /** Every query asked so far, as "name type". */
    public List<String> queries() {
        return queries;
    }

    public static InetAddress ip(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public Answer query(Name name, int type) {
        String k = key(name);
        queries.add(k + " " + Type.string(type));
        if (timeouts.contains(k)) {
            return new Answer(Status.TEMP_FAIL, List.of(), "timed out");
        }
        List<Record> all = records.get(k);
        if (all == null) {
            boolean parent = records.keySet().stream().anyMatch(r -> r.endsWith("." + k));
            return new Answer(parent ? Status.NO_DATA : Status.NX_DOMAIN, List.of(), null); // an empty non-terminal exists
        }
        List<Record> matching = all.stream().filter(r -> r.getType() == type).toList();
        return new Answer(matching.isEmpty() ? Status.NO_DATA : Status.OK, matching, null);
    }
}
