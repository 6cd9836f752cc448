package org.mailkeep.tls;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dns.PublishedRecord;
import org.mailkeep.dns.RecordGroup;
import org.mailkeep.dns.RecordSource;

import java.util.List;

/**
 * CAA (RFC 8659): only the CA we use may issue for the domain. The identities are the ones the ACME
 * directory announces (RFC 8555 §7.1.1 caaIdentities); none before we have talked to the CA, none when ACME is off.
 */
@ApplicationScoped
public class CaaRecordSource implements RecordSource {

    private final AcmeService acme;

    public CaaRecordSource(AcmeService acme) {
        this.acme = acme;
    }

    @Override
    public List<PublishedRecord> records(String domain, String hostname) {
        if (acme.directory().isEmpty()) {
            return List.of();
        }
        return acme.caaIdentities().stream().map(ca -> new PublishedRecord(RecordGroup.RECOMMENDED, "CAA", domain, "0 issue \"" + ca + "\"",
                "CAA: only " + ca + " (the CA this box gets its certificates from) may issue certificates for " + domain + ".")).toList();
    }
}
