package org.mailkeep.tls;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * Hands {@link TlsProfile} to the HTTPS listener: the protocols and cipher suites of the Quarkus TLS configuration
 * "mailkeep" (quarkus.http.tls-configuration-name) come from the profile, not from a second list in
 * application.properties. Registered through META-INF/services, so it is there before the HTTP server starts;
 * its ordinal is below application.properties and the environment, which may still override a key.
 */
public final class TlsProfileConfigSource implements ConfigSource {

    private static final String PREFIX = "quarkus.tls." + HttpsKeyStore.TLS_CONFIGURATION + ".";
    private static final Map<String, String> PROPERTIES = Map.of(
            PREFIX + "protocols", String.join(",", TlsProfile.PROTOCOLS),
            PREFIX + "cipher-suites", String.join(",", TlsProfile.CIPHER_SUITES));

    @Override
    public Map<String, String> getProperties() {
        return PROPERTIES;
    }

    @Override
    public Set<String> getPropertyNames() {
        return PROPERTIES.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return PROPERTIES.get(propertyName);
    }

    @Override
    public String getName() {
        return "mailkeep-tls-profile";
    }

    @Override
    public int getOrdinal() {
        return 200;
    }
}
