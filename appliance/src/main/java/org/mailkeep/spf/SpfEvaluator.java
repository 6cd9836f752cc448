package org.mailkeep.spf;

import org.mailkeep.dns.Resolver;
import org.mailkeep.net.Cidr;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SPF's check_host() (RFC 7208) over our {@link Resolver}.
 * <p>
 * Written by hand rather than with Apache James jSPF: jSPF is maintained (1.0.5, 2024) but slowly, loads its
 * mechanism classes by name from a properties file and wires them by reflection (every term class would need
 * GraalVM reflection configuration for the native image), brings its own DNS service and asynchronous executor
 * instead of our one resolver, and does not expose the void-lookup limit of §4.6.4 as a setting. The algorithm
 * is small; the RFC's own test suite (SpfEvaluatorTest) pins it down.
 * <p>
 * Limits (§4.6.4): at most 10 mechanisms/modifiers that query DNS (include, a, mx, ptr, exists, redirect), at most
 * 2 void lookups (NXDOMAIN or no answer), at most 10 MX names and 10 PTR names per mechanism.
 */
public final class SpfEvaluator {

    static final int MAX_DNS_TERMS = 10;
    static final int MAX_VOID_LOOKUPS = 2;
    static final int MAX_NAMES = 10;

    private final Resolver resolver;
    private final String receiver;

    /** @param receiver our host name, for the %{r} macro of explanations (§7.3) */
    public SpfEvaluator(Resolver resolver, String receiver) {
        this.resolver = resolver;
        this.receiver = receiver;
    }

    /** Thrown to end the evaluation with temperror or permerror (§4.6.4, §5.2, §4.4). */
    private static final class Abort extends Exception {
        final SpfResult result;

        Abort(SpfResult result, String message) {
            super(message);
            this.result = result;
        }
    }

    /** Counters shared by the whole evaluation, includes and redirects included (§4.6.4). */
    private static final class Budget {
        int dnsTerms;
        int voidLookups;

        void term() throws Abort {
            if (++dnsTerms > MAX_DNS_TERMS) {
                throw new Abort(SpfResult.PERMERROR, "more than " + MAX_DNS_TERMS + " DNS-querying terms");
            }
        }

        void voidLookup() throws Abort {
            if (++voidLookups > MAX_VOID_LOOKUPS) {
                throw new Abort(SpfResult.PERMERROR, "more than " + MAX_VOID_LOOKUPS + " void DNS lookups");
            }
        }
    }

    private record Outcome(SpfResult result, String explanation) {
    }

    /**
     * Checks the MAIL FROM identity (RFC 7208 §2.4). For the null sender the HELO name is checked as
     * "postmaster@helo". A sender without a local part is treated as "postmaster" (§4.3).
     */
    public SpfOutcome checkMailFrom(InetAddress ip, String mailFrom, String helo) {
        String sender = mailFrom == null || mailFrom.isEmpty() ? "postmaster@" + (helo == null ? "" : helo) : mailFrom;
        int at = sender.lastIndexOf('@');
        if (at < 0) {
            sender = "postmaster@" + sender;
            at = sender.lastIndexOf('@');
        } else if (at == 0) {
            sender = "postmaster" + sender;
            at = sender.lastIndexOf('@');
        }
        String domain = sender.substring(at + 1).toLowerCase(Locale.ROOT);
        Outcome outcome = checkHost(ip, domain, sender, helo);
        return new SpfOutcome(outcome.result(), domain, sender, outcome.explanation());
    }

    private Outcome checkHost(InetAddress ip, String domain, String sender, String helo) {
        try {
            return checkHost(ip, domain, sender, helo, new Budget(), false);
        } catch (Abort e) {
            return new Outcome(e.result, e.getMessage());
        }
    }

    private Outcome checkHost(InetAddress ip, String domain, String sender, String helo, Budget budget, boolean nested) throws Abort {
        if (!validDomain(domain)) {
            return new Outcome(SpfResult.NONE, "'" + domain + "' is not a valid domain"); // §4.3
        }
        Resolver.Answer answer = resolver.query(domain, Type.TXT);
        if (answer.status() == Resolver.Status.TEMP_FAIL) {
            throw new Abort(SpfResult.TEMPERROR, "DNS error for " + domain + ": " + answer.error()); // §4.4
        }
        List<String> records = new ArrayList<>();
        for (Record r : answer.records()) {
            if (r instanceof TXTRecord txt) {
                String joined = String.join("", txt.getStrings()); // §3.3: strings are concatenated without spaces
                if (SpfRecord.isSpf1(joined)) {
                    records.add(joined);
                }
            }
        }
        if (records.isEmpty()) {
            return new Outcome(SpfResult.NONE, "no SPF record for " + domain); // §4.5
        }
        if (records.size() > 1) {
            throw new Abort(SpfResult.PERMERROR, "more than one SPF record for " + domain); // §4.5
        }
        SpfRecord record;
        try {
            record = SpfRecord.parse(records.get(0));
        } catch (SpfRecord.SyntaxError e) {
            throw new Abort(SpfResult.PERMERROR, "SPF record of " + domain + ": " + e.getMessage()); // §4.6
        }
        MacroExpander.Values values = new MacroExpander.Values(sender, domain, ip, helo, receiver, () -> validatedName(ip, domain));
        for (SpfRecord.Directive directive : record.directives()) {
            if (directive.countsAsDnsLookup()) {
                budget.term();
            }
            if (matches(directive, ip, domain, values, sender, helo, budget)) {
                SpfResult result = directive.result();
                String explanation = null;
                if (result == SpfResult.FAIL && !nested && record.explanation() != null) {
                    explanation = explain(record.explanation(), values);
                }
                return new Outcome(result, explanation == null ? "matched " + describe(directive) + " of " + domain : explanation);
            }
        }
        if (record.redirect() != null) { // §6.1
            budget.term();
            String target = expandDomain(record.redirect(), values);
            Outcome redirected = checkHost(ip, target, sender, helo, budget, nested);
            if (redirected.result() == SpfResult.NONE) {
                throw new Abort(SpfResult.PERMERROR, "redirect target " + target + " has no SPF record");
            }
            return redirected;
        }
        return new Outcome(SpfResult.NEUTRAL, "no mechanism of " + domain + " matched"); // §4.7
    }

    private boolean matches(SpfRecord.Directive d, InetAddress ip, String domain, MacroExpander.Values values, String sender, String helo,
                            Budget budget) throws Abort {
        String target = d.domainSpec() == null ? domain : expandDomain(d.domainSpec(), values);
        switch (d.mechanism()) {
            case ALL:
                return true;
            case INCLUDE: { // §5.2
                Outcome inner = checkHost(ip, target, sender, helo, budget, true);
                return switch (inner.result()) {
                    case PASS -> true;
                    case FAIL, SOFTFAIL, NEUTRAL -> false;
                    case TEMPERROR -> throw new Abort(SpfResult.TEMPERROR, inner.explanation());
                    case PERMERROR -> throw new Abort(SpfResult.PERMERROR, inner.explanation());
                    case NONE -> throw new Abort(SpfResult.PERMERROR, "include:" + target + " has no SPF record");
                };
            }
            case A: // §5.3
                return anyAddressMatches(addresses(target, ip, budget, true), ip, d);
            case MX: { // §5.4
                Resolver.Answer mx = lookup(target, Type.MX, budget);
                List<Record> hosts = mx.records().stream().filter(r -> r instanceof MXRecord).toList();
                if (hosts.size() > MAX_NAMES) {
                    throw new Abort(SpfResult.PERMERROR, "more than " + MAX_NAMES + " MX names for " + target);
                }
                for (Record r : hosts) {
                    String host = ((MXRecord) r).getTarget().toString(true);
                    if (anyAddressMatches(addresses(host, ip, budget, false), ip, d)) {
                        return true;
                    }
                }
                return false;
            }
            case PTR: { // §5.5
                String name = validatedName(ip, target, true);
                return name != null;
            }
            case IP4:
            case IP6: // §5.6
                return Cidr.parse(d.network()).orElseThrow().contains(ip);
            case EXISTS: { // §5.7: always an A query, whatever the client's address family
                return lookup(target, Type.A, budget).found();
            }
            default:
                throw new IllegalStateException(d.mechanism().name());
        }
    }

    private static boolean anyAddressMatches(List<InetAddress> addresses, InetAddress ip, SpfRecord.Directive d) {
        int prefix = ip instanceof Inet4Address ? (d.cidr4() < 0 ? 32 : d.cidr4()) : (d.cidr6() < 0 ? 128 : d.cidr6());
        Cidr client = Cidr.of(ip, prefix);
        return addresses.stream().anyMatch(a -> Cidr.of(a, prefix).equals(client));
    }

    /** A or AAAA records of {@code host} matching the client's address family (§5.3). */
    private List<InetAddress> addresses(String host, InetAddress ip, Budget budget, boolean countVoid) throws Abort {
        int type = ip instanceof Inet4Address ? Type.A : Type.AAAA;
        Resolver.Answer answer = countVoid ? lookup(host, type, budget) : resolver.query(host, type);
        List<InetAddress> result = new ArrayList<>();
        for (Record r : answer.records()) {
            if (r instanceof ARecord a) {
                result.add(a.getAddress());
            } else if (r instanceof AAAARecord aaaa) {
                result.add(aaaa.getAddress());
            }
        }
        return result;
    }

    /** A lookup made by a mechanism: a DNS failure is a temperror, an empty answer a void lookup (§4.6.4). */
    private Resolver.Answer lookup(String name, int type, Budget budget) throws Abort {
        Resolver.Answer answer = resolver.query(name, type);
        if (answer.status() == Resolver.Status.TEMP_FAIL) {
            throw new Abort(SpfResult.TEMPERROR, "DNS error for " + name + ": " + answer.error());
        }
        if (!answer.found()) {
            budget.voidLookup();
        }
        return answer;
    }

    /** The "p" macro: a validated name of the client, preferring {@code domain} or its subdomains, else "unknown" (§7.3). */
    private String validatedName(InetAddress ip, String domain) {
        String name = validatedName(ip, domain, false);
        return name == null ? "unknown" : name;
    }

    /**
     * §5.5: PTR names of {@code ip} (at most 10) whose A/AAAA records contain {@code ip}; with {@code strict} only a
     * name equal to or below {@code domain} qualifies. DNS errors here are "no match", never errors.
     */
    private String validatedName(InetAddress ip, String domain, boolean strict) {
        Resolver.Answer ptr = resolver.query(ReverseMap.fromAddress(ip), Type.PTR);
        String fallback = null;
        int checked = 0;
        for (Record r : ptr.records()) {
            if (!(r instanceof PTRRecord p) || ++checked > MAX_NAMES) {
                continue;
            }
            String name = p.getTarget().toString(true).toLowerCase(Locale.ROOT);
            boolean confirmed;
            try {
                confirmed = addresses(name, ip, null, false).contains(ip);
            } catch (Abort e) {
                confirmed = false;
            }
            if (!confirmed) {
                continue;
            }
            String d = domain.toLowerCase(Locale.ROOT);
            if (name.equals(d) || name.endsWith("." + d)) {
                return name;
            }
            if (fallback == null) {
                fallback = name;
            }
        }
        return strict ? null : fallback;
    }

    /** Expands a domain-spec and shortens it to 253 octets by dropping leading labels (§7.3). */
    private static String expandDomain(String spec, MacroExpander.Values values) throws Abort {
        String expanded;
        try {
            expanded = MacroExpander.expand(spec, values, false);
        } catch (SpfRecord.SyntaxError e) {
            throw new Abort(SpfResult.PERMERROR, e.getMessage());
        }
        if (expanded.endsWith(".")) {
            expanded = expanded.substring(0, expanded.length() - 1);
        }
        while (expanded.length() > 253 && expanded.contains(".")) {
            expanded = expanded.substring(expanded.indexOf('.') + 1);
        }
        return expanded;
    }

    /** §6.2: the explanation string; any problem fetching or expanding it means no explanation, never an error. */
    private String explain(String expSpec, MacroExpander.Values values) {
        try {
            String name = expandDomain(expSpec, values);
            Resolver.Answer answer = resolver.query(name, Type.TXT);
            List<Record> txts = answer.records().stream().filter(r -> r instanceof TXTRecord).toList();
            if (txts.size() != 1) {
                return null;
            }
            return MacroExpander.expand(String.join("", ((TXTRecord) txts.get(0)).getStrings()), values, true);
        } catch (Abort | SpfRecord.SyntaxError | RuntimeException e) {
            return null;
        }
    }

    private static String describe(SpfRecord.Directive d) {
        String name = d.mechanism().name().toLowerCase(Locale.ROOT);
        return d.qualifier() + name + (d.domainSpec() != null ? ":" + d.domainSpec() : d.network() != null ? ":" + d.network() : "");
    }

    /** §4.3: a multi-label name with labels of 1..63 octets. */
    static boolean validDomain(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty() || d.length() > 253 || !d.contains(".")) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
        }
        return true;
    }
}
