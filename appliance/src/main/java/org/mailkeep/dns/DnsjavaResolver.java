package org.mailkeep.dns;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.config.MailkeepConfig;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** {@link Resolver} over dnsjava: the servers of {@code mailkeep.dns.servers}, or the system's when that is empty. No negative caching. */
@ApplicationScoped
public class DnsjavaResolver implements Resolver {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final org.xbill.DNS.Resolver resolver;

    @Inject
    public DnsjavaResolver(MailkeepConfig config) {
        this(config.dns().servers().orElse(List.of()));
    }

    /** @param servers host:port entries ("127.0.0.1:5353"); empty means the system resolver */
    public DnsjavaResolver(List<String> servers) {
        if (servers.isEmpty()) {
            resolver = new ExtendedResolver();
        } else {
            SimpleResolver[] resolvers = new SimpleResolver[servers.size()];
            for (int i = 0; i < servers.size(); i++) {
                resolvers[i] = new SimpleResolver(parse(servers.get(i).trim()));
            }
            resolver = new ExtendedResolver(resolvers);
        }
        resolver.setTimeout(TIMEOUT);
    }

    static InetSocketAddress parse(String server) {
        int colon = server.lastIndexOf(':');
        if (colon > 0 && server.indexOf(':') == colon) {
            return new InetSocketAddress(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)));
        }
        if (server.startsWith("[") && server.contains("]:")) {
            int close = server.indexOf("]:");
            return new InetSocketAddress(server.substring(1, close), Integer.parseInt(server.substring(close + 2)));
        }
        return new InetSocketAddress(server, 53);
    }

    /** The underlying dnsjava resolver, for features that send their own messages (RFC 2136 updates). */
    public org.xbill.DNS.Resolver dnsjava() {
        return resolver;
    }

    @Override
    public Answer query(Name name, int type) {
        Lookup lookup = new Lookup(name, type);
        lookup.setResolver(resolver);
        lookup.setCache(null); // a fresh answer every time: live checks must not see stale negatives
        Record[] records = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> new Answer(Status.OK, Arrays.asList(records), null);
            case Lookup.TYPE_NOT_FOUND -> new Answer(Status.NO_DATA, List.of(), null);
            case Lookup.HOST_NOT_FOUND -> new Answer(Status.NX_DOMAIN, List.of(), null);
            default -> new Answer(Status.TEMP_FAIL, List.of(), lookup.getErrorString());
        };
    }
}
