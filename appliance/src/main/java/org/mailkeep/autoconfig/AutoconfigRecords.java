package org.mailkeep.autoconfig;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.dns.PublishedRecord;
import org.mailkeep.dns.RecordSource;
import org.mailkeep.feature.Feature;

import java.util.List;

/**
 * Mail programs find the settings through two names in the owner's zone, autoconfig.&lt;domain&gt; (Thunderbird)
 * and autodiscover.&lt;domain&gt; (Outlook), both pointing at this box; the certificate covers them.
 */
@ApplicationScoped
public class AutoconfigRecords implements RecordSource, Feature {

    @Override
    public String name() {
        return "autoconfig";
    }

    @Override
    public List<String> certificateNames() {
        return List.of("autoconfig", "autodiscover");
    }

    @Override
    public List<PublishedRecord> records(String domain, String hostname) {
        return List.of(
                new PublishedRecord("CNAME", "autoconfig." + domain, hostname,
                        "Lets Thunderbird and other mail programs find the server settings by themselves."),
                new PublishedRecord("CNAME", "autodiscover." + domain, hostname,
                        "Lets Outlook find the server settings by itself."));
    }
}
