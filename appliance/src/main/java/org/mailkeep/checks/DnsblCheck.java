package org.mailkeep.checks;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.dns.Resolver;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.SpamSignals;
import org.mailkeep.policy.Trust;
import org.mailkeep.policy.Verdict;
import org.mailkeep.dnsbl.DnsList;
import org.mailkeep.dnsbl.DnsblConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * DNS lists on the connecting IP at connect time (RFC 5782). An IP on an allowlist is trusted for the connection and
 * skips the blocklists; otherwise the weights of the blocklists listing it add up: at or above the threshold the
 * client gets 554 5.7.1 naming the lists (RFC 5321 §3.1 allows 554 instead of the greeting), below it the weight
 * adds 2.5 spam points per unit. Authenticated submission is not checked here (AUTH comes after connect, and home
 * users often send from dynamic, listed addresses: the submission listener is skipped).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class DnsblCheck implements InboundCheck {

    static final double POINTS_PER_WEIGHT = 2.5;

    private final Resolver resolver;
    private final List<DnsList> blocklists;
    private final List<DnsList> allowlists;
    private final double threshold;

    @Inject
    public DnsblCheck(Resolver resolver, DnsblConfig config) {
        this(resolver, config.zones().orElse(List.of()).stream().filter(z -> !z.isBlank()).map(DnsList::parse).toList(),
                config.allowZones().orElse(List.of()).stream().filter(z -> !z.isBlank()).map(DnsList::parse).toList(), config.threshold());
    }

    public DnsblCheck(Resolver resolver, List<DnsList> blocklists, List<DnsList> allowlists, double threshold) {
        this.resolver = resolver;
        this.blocklists = List.copyOf(blocklists);
        this.allowlists = List.copyOf(allowlists);
        this.threshold = threshold;
    }

    @Override
    public Verdict connect(SmtpContext context) {
        if (context.listener() != SmtpContext.Listener.MX || Trust.trusted(context) != null) {
            return Verdict.ACCEPT;
        }
        for (DnsList allow : allowlists) {
            Optional<DnsList.Listing> listing = allow.lookup(resolver, context.remoteAddress());
            if (listing.isPresent()) {
                Trust.trustConnection(context, "DNS allowlist " + allow.zone());
                DnsblMetrics.ALLOWLISTED.increment();
                return Verdict.tag(List.of(), 0, false, "on DNS allowlist " + allow.zone());
            }
        }
        List<DnsList.Listing> listings = new ArrayList<>();
        for (DnsList list : blocklists) {
            list.lookup(resolver, context.remoteAddress()).ifPresent(listings::add);
        }
        if (listings.isEmpty()) {
            if (!blocklists.isEmpty()) {
                DnsblMetrics.CLEAN.increment();
            }
            return Verdict.ACCEPT;
        }
        double weight = listings.stream().mapToDouble(DnsList.Listing::weight).sum();
        String names = listings.stream().map(DnsList.Listing::zone).collect(Collectors.joining(", "));
        String detail = context.remoteAddress().getHostAddress() + " listed on " + listings.stream()
                .map(l -> l.zone() + " (" + l.code() + (l.reason() == null ? "" : ", " + l.reason()) + ")").collect(Collectors.joining(", "));
        if (weight >= threshold) {
            DnsblMetrics.REJECTED.increment();
            return Verdict.reject("554", "5.7.1", "Service unavailable; client host " + context.remoteAddress().getHostAddress()
                    + " blocked using " + names, detail);
        }
        DnsblMetrics.LISTED.increment();
        return SpamSignals.scoreConnection(context, "DNSBL", weight * POINTS_PER_WEIGHT, detail);
    }
}
