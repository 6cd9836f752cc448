package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dns.Resolver;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where mail for a domain goes (RFC 5321 §5.1), through the one {@link Resolver}. */
@ApplicationScoped
public class MxLookup {

    /** One MX host with its addresses (IPv4 first: a home line rarely has working IPv6 port 25). */
    public record Host(String name, int preference, List<InetAddress> addresses) {
    }

    /** The hosts to try in order, or why there are none (permanent: bounce now; temporary: retry). */
    public record Result(List<Host> hosts, String permanentError, String temporaryError) {
        static Result permanent(String error) {
            return new Result(List.of(), error, null);
        }

        static Result temporary(String error) {
            return new Result(List.of(), null, error);
        }
    }

    private final Resolver resolver;

    public MxLookup(Resolver resolver) {
        this.resolver = resolver;
    }

    public Result lookup(String domain) {
        Resolver.Answer mx = resolver.query(domain, Type.MX);
        List<MXRecord> records = new ArrayList<>();
        switch (mx.status()) {
            case TEMP_FAIL -> {
                return Result.temporary("4.4.3 DNS lookup of the MX of " + domain + " failed: " + mx.error());
            }
            case NX_DOMAIN -> {
                return Result.permanent("5.1.2 domain " + domain + " does not exist (NXDOMAIN)");
            }
            case OK -> mx.records().stream().filter(MXRecord.class::isInstance).map(MXRecord.class::cast).forEach(records::add);
            case NO_DATA -> {
            }
        }
        if (records.size() == 1 && records.get(0).getTarget().equals(org.xbill.DNS.Name.root)) {
            return Result.permanent("5.1.10 " + domain + " accepts no mail (null MX, RFC 7505)");
        }
        Map<String, Integer> targets = new LinkedHashMap<>();
        if (records.isEmpty()) {
            targets.put(domain, 0); // RFC 5321 §5.1: no MX → the domain itself is the implicit MX
        } else {
            Collections.shuffle(records); // equal preferences in random order (§5.1), the sort below is stable
            records.sort(Comparator.comparingInt(MXRecord::getPriority));
            for (MXRecord r : records) {
                String target = r.getTarget().toString(true);
                if (!target.isEmpty()) {
                    targets.putIfAbsent(target, r.getPriority());
                }
            }
        }
        List<Host> hosts = new ArrayList<>();
        String lastTemporary = null;
        for (Map.Entry<String, Integer> target : targets.entrySet()) {
            List<InetAddress> addresses = new ArrayList<>();
            for (int type : new int[] {Type.A, Type.AAAA}) {
                Resolver.Answer answer = resolver.query(target.getKey(), type);
                if (answer.status() == Resolver.Status.TEMP_FAIL) {
                    lastTemporary = "4.4.3 DNS lookup of " + target.getKey() + " failed: " + answer.error();
                }
                answer.records().forEach(r -> address(r).ifPresent(addresses::add));
            }
            if (!addresses.isEmpty()) {
                hosts.add(new Host(target.getKey(), target.getValue(), addresses));
            }
        }
        if (hosts.isEmpty()) {
            return lastTemporary != null ? Result.temporary(lastTemporary)
                    : Result.permanent("5.1.2 no address for the mail servers of " + domain + " (" + String.join(", ", targets.keySet()) + ")");
        }
        return new Result(hosts, null, null);
    }

    private static Optional<InetAddress> address(org.xbill.DNS.Record record) {
        if (record instanceof ARecord a) {
            return Optional.of(a.getAddress());
        }
        if (record instanceof AAAARecord aaaa) {
            return Optional.of(aaaa.getAddress());
        }
        return Optional.empty();
    }
}
