package org.mailkeep.antivirus;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/** {@code mailkeep.clamd.*}: the ClamAV daemon every message is scanned with. */
@ConfigMapping(prefix = "mailkeep.clamd")
public interface ClamdConfig {

    /** {@code host:port} or {@code unix:/path}; empty turns antivirus off. */
    Optional<String> address();

    /** When clamd cannot be reached: false answers 451 4.7.1 (the sender retries), true accepts the message unscanned. */
    @WithName("fail-open")
    @WithDefault("false")
    boolean failOpen();

    /** Connect and read timeout for TCP. */
    @WithDefault("60s")
    Duration timeout();
}
