package org.mailkeep.checks;

import org.mailkeep.antivirus.ClamdClient;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** Antivirus figures on /q/metrics (docs/metrics.md): clamd scans by result, and the viruses found. */
@Singleton
public class AntivirusMetrics {

    private static final Map<ClamdClient.Status, Counter> SCANS = new EnumMap<>(ClamdClient.Status.class);
    private static final Counter FINDINGS = Counter.builder("mailkeep.antivirus.findings").description("Messages in which clamd found a virus")
            .register(Metrics.globalRegistry);

    static {
        for (ClamdClient.Status status : ClamdClient.Status.values()) {
            SCANS.put(status, Counter.builder("mailkeep.antivirus.scans").description("Messages scanned by clamd, by result")
                    .tag("result", status.name().toLowerCase(Locale.ROOT)).register(Metrics.globalRegistry));
        }
    }

    /** ArC creates this bean at start, which registers the counters above: their series show from the first scrape. */
    void register(@Observes StartupEvent event) {
        // the static initialiser did the work
    }

    static void scanned(ClamdClient.Result result) {
        SCANS.get(result.status()).increment();
        if (result.status() == ClamdClient.Status.INFECTED) {
            FINDINGS.increment();
        }
    }
}
