package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.HealthCheck;

import java.time.Instant;
import java.util.Optional;

/**
 * "outbound": amber while mail cannot go out directly (with the reason), the relay refuses us, or a message
 * has waited in the queue for longer than {@link #STUCK}.
 */
@ApplicationScoped
public class OutboundHealth implements HealthCheck {

    /** Queued longer than this, mail is late enough for the owner to look (the first retries are minutes apart). */
    static final java.time.Duration STUCK = java.time.Duration.ofHours(1);

    private final Fallback fallback;
    private final RelaySettings relaySettings;
    private final OutboundQueue queue;

    public OutboundHealth(Fallback fallback, RelaySettings relaySettings, OutboundQueue queue) {
        this.fallback = fallback;
        this.relaySettings = relaySettings;
        this.queue = queue;
    }

    @Override
    public Result check() {
        Optional<String> relayProblem = fallback.relayProblem();
        Optional<Fallback.State> state = fallback.state();
        Optional<RelaySettings.Relay> relay = relaySettings.relay();
        if (relayProblem.isPresent() && relaySettings.mode() != RelaySettings.Mode.DIRECT) {
            return Result.warning("outbound", "the relay refuses our mail, which waits in the queue: " + relayProblem.get());
        }
        if (state.isPresent() && relaySettings.mode() != RelaySettings.Mode.RELAY) {
            String why = state.get().trigger().description + " (" + state.get().evidence() + ") since " + Instant.ofEpochMilli(state.get().since());
            if (relay.isEmpty()) {
                return Result.warning("outbound", "direct delivery fails: " + why + "; configure a relay (smarthost) so mail can go out");
            }
            if (relaySettings.mode() == RelaySettings.Mode.FALLBACK) {
                return Result.warning("outbound", "sending through relay " + relay.get().host() + " because " + why);
            }
            return Result.warning("outbound", "direct delivery fails: " + why + "; mode is direct, so no relay is used");
        }
        Optional<Instant> oldest = queue.oldestPending();
        if (oldest.isPresent() && oldest.get().isBefore(Instant.now().minus(STUCK))) {
            return Result.warning("outbound", queue.pendingRecipients() + " recipients queued; the oldest has waited since " + oldest.get()
                    + " (see the queue for the last error)");
        }
        return Result.ok("outbound", queue.pendingRecipients() + " recipients queued");
    }
}
