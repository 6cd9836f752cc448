package org.mailkeep.dns;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.HealthCheck;

/** Dynamic DNS as a health check: a failing update is a warning (mail still works until the address changes). */
@ApplicationScoped
public class DdnsHealth implements HealthCheck {

    private final DdnsService ddns;

    public DdnsHealth(DdnsService ddns) {
        this.ddns = ddns;
    }

    @Override
    public Result check() {
        DdnsService.Status s = ddns.status();
        return switch (s.state()) {
            case OFF -> Result.ok("ddns", "dynamic DNS is off");
            case PENDING -> Result.ok("ddns", "dynamic DNS update pending");
            case OK -> Result.ok("ddns", s.hostname() + " points at " + (s.publishedIpv4() != null ? s.publishedIpv4() : s.publishedIpv6()));
            case FAILING -> Result.warning("ddns", "dynamic DNS update failing, retrying: " + s.lastError());
            case NEEDS_USER -> Result.warning("ddns", "dynamic DNS update refused; fix the settings: " + s.lastError());
        };
    }
}
