package org.mailkeep.imap;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Limits of the IMAP server (the ports are mailkeep.imap.port / mailkeep.imaps.port in MailkeepConfig). */
@ConfigMapping(prefix = "mailkeep.imap-server")
public interface ImapConfig {

    /** Largest message APPEND accepts (announced as APPENDLIMIT, RFC 7889); larger literals are refused before they are read. */
    @WithName("append-limit")
    @WithDefault("52428800")
    long appendLimit();

    /** Concurrent connections from one IP address. */
    @WithName("max-connections-per-ip")
    @WithDefault("50")
    int maxConnectionsPerIp();

    /** Concurrent connections in all. */
    @WithName("max-connections")
    @WithDefault("500")
    int maxConnections();

    /** Threads executing IMAP commands (database and file work); sessions waiting in IDLE hold none. */
    @WithDefault("8")
    int workers();
}
