package org.mailkeep.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.mailkeep.maillog.MailEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outbound queue's figures on /q/metrics (docs/metrics.md): recipients waiting, the age of the oldest waiting
 * message (both read from the queue when scraped), and delivery attempts by result and route.
 */
@Singleton
public class QueueMetrics {

    /** How a recipient's attempt was carried: straight to the MX, through the relay (mode or rule), or through the relay as fallback. */
    static final List<String> ROUTES = List.of("direct", "relay", "fallback", "none");
    static final List<MailEvent.Result> RESULTS = List.of(MailEvent.Result.DELIVERED, MailEvent.Result.DEFERRED, MailEvent.Result.BOUNCED);
    private static final Map<String, Counter> DELIVERIES = new HashMap<>();

    static {
        for (MailEvent.Result result : RESULTS) {
            for (String route : ROUTES) {
                DELIVERIES.put(key(result, route), Counter.builder("mailkeep.deliveries").description("Outbound delivery attempts per recipient")
                        .tag("result", result.name().toLowerCase(Locale.ROOT)).tag("route", route).register(Metrics.globalRegistry));
            }
        }
    }

    void register(@Observes StartupEvent event, MeterRegistry registry, OutboundQueue queue) {
        Gauge.builder("mailkeep.queue.recipients", queue::pendingRecipients).description("Recipients waiting in the outbound queue")
                .register(registry);
        Gauge.builder("mailkeep.queue.oldest.age", () -> queue.oldestPending().map(t -> Duration.between(t, Instant.now()).toMillis() / 1000.0).orElse(0.0))
                .description("Age of the oldest message with a recipient still waiting (0 when none waits)").baseUnit("seconds").register(registry);
    }

    /** One recipient's attempt; {@code route} is {"direct"|"relay", reason} as the queue records it, null when it never left. */
    static void delivery(MailEvent.Result result, String[] route) {
        String name = route == null || route[0] == null ? "none"
                : route[0].equals("relay") && route[1] != null && route[1].startsWith("fallback") ? "fallback" : route[0];
        DELIVERIES.get(key(result, name)).increment();
    }

    private static String key(MailEvent.Result result, String route) {
        return result + "/" + route;
    }
}
