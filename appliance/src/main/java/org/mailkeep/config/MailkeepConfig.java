package org.mailkeep.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Optional;

/**
 * The appliance-wide {@code mailkeep.*} keys of docs/interface.md. Each key can be set as an environment
 * variable (MAILKEEP_DATA_DIR, MAILKEEP_SMTP_PORT, ...). Defaults here are the appliance's; the local
 * {@code ./mailkeep run} overrides them through the "local" profile in application.properties.
 * Features with keys of their own declare a mapping in their own package (prefix {@code mailkeep.<feature>}).
 */
@ConfigMapping(prefix = "mailkeep")
public interface MailkeepConfig {

    /** Root of all state: database, messages, keys, certificates. See {@link org.mailkeep.store.DataDirectory}. */
    @WithName("data-dir")
    @WithDefault("/var/lib/mailkeep")
    String dataDir();

    /** Address every mail listener binds to. */
    @WithDefault("0.0.0.0")
    String bind();

    /** MX listener (RFC 5321). */
    Listener smtp();

    /** Submission with STARTTLS (RFC 6409). */
    Listener submission();

    /** Submission with implicit TLS (RFC 8314). */
    Listener submissions();

    /** IMAP with STARTTLS. */
    Listener imap();

    /** IMAP with implicit TLS. */
    Listener imaps();

    Dns dns();

    /** Pi4J platform for LEDs and button: auto, mock or none. */
    @WithDefault("auto")
    String hardware();

    interface Listener {
        /** 0 disables the listener. */
        int port();
    }

    interface Dns {
        /** host:port list; empty means the system resolver. */
        Optional<List<String>> servers();
    }
}
