package org.mailkeep.dns;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Providers that speak dyndns2: they differ only by update URL (and the credentials the user enters). */
public enum DynDns2Provider {
    DYN("https://members.dyndns.org/v3/update"),
    NOIP("https://dynupdate.no-ip.com/nic/update"),
    DYNU("https://api.dynu.com/nic/update"),
    OVH("https://www.ovh.com/nic/update?system=dyndns"),
    STRATO("https://dyndns.strato.com/nic/update"),
    /** Any other dyndns2 provider: the user gives the URL. */
    CUSTOM(null);

    private final String url;

    DynDns2Provider(String url) {
        this.url = url;
    }

    public Optional<String> url() {
        return Optional.ofNullable(url);
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DynDns2Provider> byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equalsIgnoreCase(id == null ? "" : id.trim())).findFirst();
    }
}
