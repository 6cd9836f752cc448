package org.mailkeep.dns;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code mailkeep.netcheck.*}: where the network self-checks look. Every list defaults to empty (the check
 * is skipped and reports "not checked"), so nothing leaves the machine unless configured; the appliance's
 * production profile in application.properties sets public endpoints.
 */
@ConfigMapping(prefix = "mailkeep.netcheck")
public interface NetcheckConfig {

    /** HTTP(S) URLs that answer the caller's IPv4 address as plain text. */
    @WithName("ipv4-echo")
    Optional<List<String>> ipv4Echo();

    /** HTTP(S) URLs that answer the caller's IPv6 address as plain text. */
    @WithName("ipv6-echo")
    Optional<List<String>> ipv6Echo();

    /** host:port targets for the outbound port 25 test; reachable when any accepts a connection. */
    @WithName("port25-probe")
    Optional<List<String>> port25Probe();

    /** DNSBL zones of policy/dynamic-address lists (PBL-type) to look the public IPv4 up in (RFC 5782). */
    @WithName("policy-blocklists")
    Optional<List<String>> policyBlocklists();

    /** How often the checks run (jittered by ±20%). */
    @WithDefault("15m")
    Duration interval();
}
