package org.mailkeep.policy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbound policy's figures on /q/metrics (docs/metrics.md): every check's verdict at every stage it ran, and
 * greylisting's decisions. Recorded with one static call from checks.PolicyChain and {@link GreylistCheck}.
 */
@Singleton
public class PolicyMetrics {

    /** pass: accepted with no effect; tag: accepted with a header, score, Junk routing or a logged reason. */
    static final String[] VERDICTS = {"pass", "tag", "tempfail", "reject"};
    /** Per check class: one counter per verdict, in {@link #VERDICTS} order. The checks are a fixed set of beans. */
    private static final Map<Class<?>, Counter[]> DECISIONS = new ConcurrentHashMap<>();
    private static final Map<Greylist.Decision, Counter> GREYLIST = new EnumMap<>(Greylist.Decision.class);

    static {
        for (Greylist.Decision decision : Greylist.Decision.values()) {
            GREYLIST.put(decision, Counter.builder("mailkeep.greylist.decisions").description("Greylisting decisions per recipient")
                    .tag("decision", decision.name().toLowerCase(Locale.ROOT)).register(Metrics.globalRegistry));
        }
    }

    /** Registers every check's counters at start (and the greylisting ones, in the static initialiser). */
    void register(@Observes StartupEvent event, Instance<InboundCheck> checks) {
        checks.forEach(check -> DECISIONS.computeIfAbsent(check.getClass(), PolicyMetrics::counters));
    }

    public static void decision(InboundCheck check, Verdict verdict) {
        Counter[] counters = DECISIONS.computeIfAbsent(check.getClass(), PolicyMetrics::counters);
        int index = switch (verdict.action()) {
            case REJECT -> 3;
            case TEMPFAIL -> 2;
            case ACCEPT -> verdict.reason() == null && verdict.headers().isEmpty() && verdict.score() == 0 && !verdict.junk() ? 0 : 1;
        };
        counters[index].increment();
    }

    static void greylist(Greylist.Decision decision) {
        GREYLIST.get(decision).increment();
    }

    /** "DnsblCheck" → "dnsbl", "AccessListCheck" → "access-list". */
    static String checkName(Class<?> type) {
        return type.getSimpleName().replaceFirst("Check$", "").replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Counter[] counters(Class<?> type) {
        Counter[] counters = new Counter[VERDICTS.length];
        for (int i = 0; i < VERDICTS.length; i++) {
            counters[i] = Counter.builder("mailkeep.policy.decisions").description("Inbound policy verdicts per check")
                    .tag("check", checkName(type)).tag("verdict", VERDICTS[i]).register(Metrics.globalRegistry);
        }
        return counters;
    }
}
