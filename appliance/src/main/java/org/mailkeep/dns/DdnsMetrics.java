package org.mailkeep.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** Dynamic DNS figures on /q/metrics (docs/metrics.md): update rounds that changed or confirmed the records, and failed ones. */
@Singleton
public class DdnsMetrics {

    static final Counter SUCCESS = updates("success");
    static final Counter FAILURE = updates("failure");

    /** ArC creates this bean at start, which registers the counters above: their series show from the first scrape. */
    void register(@Observes StartupEvent event) {
        // the static initialiser did the work
    }

    private static Counter updates(String result) {
        return Counter.builder("mailkeep.ddns.updates").description("Dynamic DNS updates (RFC 2136 or dyndns2) by result")
                .tag("result", result).register(Metrics.globalRegistry);
    }
}
