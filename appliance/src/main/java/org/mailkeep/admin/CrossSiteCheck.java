package org.mailkeep.admin;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses state-changing requests a browser sends on behalf of another site, whatever credentials they carry: a
 * browser that cached HTTP Basic credentials (or holds the session cookie) attaches them to a cross-site POST, and
 * a POST without a body needs no CORS preflight. Browsers mark such requests: {@code Sec-Fetch-Site} (W3C Fetch
 * Metadata Request Headers §2.1: anything but {@code same-origin} or {@code none} came from elsewhere) and
 * {@code Origin} (RFC 6454 §7; sent on every POST by current browsers, compared with the request's own origin).
 * A request with neither header is not a browser's (curl, scripts): it goes on to the credential check.
 */
public final class CrossSiteCheck {

    private CrossSiteCheck() {
    }

    /**
     * Why the request is refused, or empty when it may go on.
     *
     * @param host   the request's {@code Host} header
     * @param secure whether it arrived over TLS
     */
    public static Optional<String> refusal(String method, String secFetchSite, String origin, String host, boolean secure) {
        if (AdminGate.SAFE_METHODS.contains(method)) {
            return Optional.empty();
        }
        if (secFetchSite != null) {
            String site = secFetchSite.trim().toLowerCase(Locale.ROOT);
            return site.equals("same-origin") || site.equals("none") ? Optional.empty()
                    : Optional.of("cross-site request refused (Sec-Fetch-Site: " + site + ")");
        }
        if (origin == null) {
            return Optional.empty();
        }
        return sameOrigin(origin.trim(), host, secure) ? Optional.empty()
                : Optional.of("cross-site request refused (Origin " + origin.trim() + " for host " + host + ")");
    }

    /** Whether {@code origin} (scheme://host[:port]) is this server's origin as the request addressed it. */
    static boolean sameOrigin(String origin, String host, boolean secure) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(origin);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        String scheme = secure ? "https" : "http";
        if (uri.getHost() == null || !scheme.equalsIgnoreCase(uri.getScheme())) {
            return false;
        }
        int defaultPort = secure ? 443 : 80;
        String expected = authority(uri.getHost(), uri.getPort() == -1 ? defaultPort : uri.getPort());
        URI requested;
        try {
            requested = new URI(scheme + "://" + host.trim());
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        return requested.getHost() != null
                && expected.equals(authority(requested.getHost(), requested.getPort() == -1 ? defaultPort : requested.getPort()));
    }

    private static String authority(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
