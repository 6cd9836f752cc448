package org.mailkeep.smtp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The SMTP figures on /q/metrics: connections, messages accepted and rejected by reason, bytes, store latency. */
public final class SmtpMetrics {

    private final MeterRegistry registry;
    private final Counter bytes;
    private final Timer storeLatency;

    /** Told of every accepted message (the activity LED's "mail-in"). */
    private final Runnable onAccepted;

    public SmtpMetrics(MeterRegistry registry) {
        this(registry, () -> { });
    }

    public SmtpMetrics(MeterRegistry registry, Runnable onAccepted) {
        this.registry = registry;
        this.onAccepted = onAccepted;
        this.bytes = Counter.builder("mailkeep.smtp.bytes").description("Message octets received").baseUnit("bytes").register(registry);
        this.storeLatency = Timer.builder("mailkeep.smtp.store.latency")
                .description("From the end of a message to its fsynced delivery or queueing").register(registry);
    }

    void connectionsGauge(AtomicInteger open) {
        registry.gauge("mailkeep.smtp.connections.open", open);
    }

    void connection(String listener) {
        registry.counter("mailkeep.smtp.connections", "listener", listener).increment();
    }

    void accepted(String listener) {
        registry.counter("mailkeep.smtp.messages.accepted", "listener", listener).increment();
        onAccepted.run();
    }

    /** {@code reason} is one of a small fixed set (size, relay-denied, unknown-user, policy, timeout, ...). */
    void rejected(String reason) {
        registry.counter("mailkeep.smtp.rejected", "reason", reason).increment();
    }

    void bytes(long count) {
        bytes.increment(count);
    }

    void stored(long nanos) {
        storeLatency.record(nanos, TimeUnit.NANOSECONDS);
    }
}
