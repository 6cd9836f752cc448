package org.mailkeep.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dns.PublishedRecord;
import org.mailkeep.dns.RecordSource;

import java.util.List;

/**
 * The domain's SPF record (RFC 7208): our MX host may send, and so may the relay whenever it can carry our
 * mail (mode relay or fallback, or a per-destination rule). The include is published before a fallback is
 * needed, so the first relayed message already passes SPF; when fallback is active it is required.
 */
@ApplicationScoped
public class SpfRecord implements RecordSource {

    private final RelaySettings relaySettings;

    public SpfRecord(RelaySettings relaySettings) {
        this.relaySettings = relaySettings;
    }

    @Override
    public List<PublishedRecord> records(String domain, String hostname) {
        StringBuilder spf = new StringBuilder("v=spf1 mx a:" + hostname);
        String purpose = "SPF: which servers may send mail for " + domain;
        var relay = relaySettings.relay();
        boolean relayMaySend = relaySettings.mode() != RelaySettings.Mode.DIRECT
                || relaySettings.rules().containsValue(RelaySettings.Route.RELAY);
        if (relay.isPresent() && relayMaySend) {
            if (relay.get().spfInclude() != null) {
                spf.append(" include:").append(relay.get().spfInclude());
                purpose += ", including the relay " + relay.get().host();
            } else {
                spf.append(" a:").append(relay.get().host());
                purpose += "; set the relay's SPF include (spfInclude) if its outgoing servers differ from " + relay.get().host();
            }
        }
        return List.of(new PublishedRecord("TXT", domain, "\"" + spf.append(" -all") + "\"", purpose));
    }
}
