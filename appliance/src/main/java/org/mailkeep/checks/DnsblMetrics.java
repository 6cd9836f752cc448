package org.mailkeep.checks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** DNSBL figures on /q/metrics (docs/metrics.md): MX connections looked up, by what the lists said. */
@Singleton
public class DnsblMetrics {

    static final Counter CLEAN = checks("clean");
    static final Counter ALLOWLISTED = checks("allowlisted");
    /** Listed below the reject threshold: scored. */
    static final Counter LISTED = checks("listed");
    static final Counter REJECTED = checks("rejected");

    /** ArC creates this bean at start, which registers the counters above: their series show from the first scrape. */
    void register(@Observes StartupEvent event) {
        // the static initialiser did the work
    }

    private static Counter checks(String result) {
        return Counter.builder("mailkeep.dnsbl.checks").description("MX connections looked up on the DNS lists (RFC 5782), by result")
                .tag("result", result).register(Metrics.globalRegistry);
    }
}
