package org.mailkeep.dns;

import java.util.List;

/**
 * A feature that sends mail for the domain from somewhere other than this box adds SPF mechanisms to the
 * published SPF record by implementing this as a CDI bean; no edit to the DNS code is needed. Example, in
 * the outbound relay feature:
 * <pre>
 * &#64;ApplicationScoped
 * class RelaySpf implements SpfContribution {
 *     public List&lt;String&gt; mechanisms(String domain) {
 *         return relayConfigured() ? List.of("include:" + relaySpfDomain()) : List.of();
 *     }
 * }
 * </pre>
 * Each string is one SPF mechanism (RFC 7208 §5: "include:_spf.example.net", "ip4:192.0.2.0/24", ...);
 * they are inserted before the final "-all" in a stable order. Keep the total DNS-lookup count of the
 * record within RFC 7208 §4.6.4's limit of 10.
 */
public interface SpfContribution {

    List<String> mechanisms(String domain);
}
