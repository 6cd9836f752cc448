package org.mailkeep.dnsbl;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Optional;

/** {@code mailkeep.dnsbl.*}: the DNS blocklists and allowlists (RFC 5782) asked about every connecting IP. */
@ConfigMapping(prefix = "mailkeep.dnsbl")
public interface DnsblConfig {

    /** Blocklist zones as {@code zone[:weight]} (weight default 1). */
    Optional<List<String>> zones();

    /** A connection whose listed weights add up to at least this is refused with 554 5.7.1; below it they add to the spam score. */
    @WithDefault("1.0")
    double threshold();

    /** DNS allowlist zones (RFC 5782 §2: same query form); a listed IP skips greylisting and the spam score. */
    @WithName("allow-zones")
    Optional<List<String>> allowZones();
}
