package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dns.SpfContribution;

import java.util.List;

/**
 * The relay's part of the domain's one SPF record (RFC 7208 §4.5: two SPF records make SPF fail): the relay
 * may send whenever it can carry our mail (mode relay or fallback, or a per-destination rule). The include
 * is published before a fallback is needed, so the first relayed message already passes SPF.
 */
@ApplicationScoped
public class SpfRecord implements SpfContribution {

    private final RelaySettings relaySettings;

    public SpfRecord(RelaySettings relaySettings) {
        this.relaySettings = relaySettings;
    }

    @Override
    public List<String> mechanisms(String domain) {
        var relay = relaySettings.relay();
        boolean relayMaySend = relaySettings.mode() != RelaySettings.Mode.DIRECT
                || relaySettings.rules().containsValue(RelaySettings.Route.RELAY);
        if (relay.isEmpty() || !relayMaySend) {
            return List.of();
        }
        // without the relay's own SPF domain, its host name is the best guess of where it sends from
        return List.of(relay.get().spfInclude() != null ? "include:" + relay.get().spfInclude() : "a:" + relay.get().host());
    }
}
