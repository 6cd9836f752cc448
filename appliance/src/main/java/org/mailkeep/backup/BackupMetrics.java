package org.mailkeep.backup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.concurrent.TimeUnit;

/**
 * Backup figures on /q/metrics (docs/metrics.md): runs by result, their duration, the bytes a successful run left on
 * the stick, and the start of the newest successful backup (read from the backup history when scraped).
 */
@Singleton
public class BackupMetrics {

    private static final Counter OK = runs("success");
    private static final Counter FAILED = runs("failure");
    private static final Timer DURATION = Timer.builder("mailkeep.backup.duration").description("How long backup runs took, successful or not")
            .register(Metrics.globalRegistry);
    private static final DistributionSummary BYTES = DistributionSummary.builder("mailkeep.backup.size")
            .description("Bytes of each successful backup on the stick (packs, database and manifest)").baseUnit("bytes")
            .register(Metrics.globalRegistry);

    void register(@Observes StartupEvent event, MeterRegistry registry, BackupService backups) {
        Gauge.builder("mailkeep.backup.last.success", () -> backups.lastSuccess().map(t -> t.toEpochMilli() / 1000.0).orElse(0.0))
                .description("Unix time at which the newest successful backup started (0: none yet)").baseUnit("timestamp_seconds")
                .register(registry);
    }

    private static Counter runs(String result) {
        return Counter.builder("mailkeep.backup.runs").description("Backup runs by result").tag("result", result).register(Metrics.globalRegistry);
    }

    /** A finished run; {@code bytes} is null when it failed. */
    static void run(long nanos, Long bytes) {
        DURATION.record(nanos, TimeUnit.NANOSECONDS);
        if (bytes == null) {
            FAILED.increment();
        } else {
            OK.increment();
            BYTES.record(bytes);
        }
    }
}
