package org.mailkeep.dns;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.Feature;

import java.util.List;

/** The client autoconfiguration names point at this box (see {@link MailRecordSource}), so the certificate must cover them. */
@ApplicationScoped
public class DnsFeature implements Feature {

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public List<String> certificateNames() {
        return List.of("autoconfig", "autodiscover");
    }
}
