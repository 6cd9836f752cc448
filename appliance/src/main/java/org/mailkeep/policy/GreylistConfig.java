package org.mailkeep.policy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code mailkeep.greylisting.*}. */
@ConfigMapping(prefix = "mailkeep.greylisting")
public interface GreylistConfig {

    /** Greylisting on or off. */
    @WithDefault("true")
    boolean enabled();

    /** How long a new (network, sender, recipient) triplet must wait before its retry is accepted. */
    @WithDefault("5m")
    Duration delay();

    /** How long a passed triplet, and a client network that passed once, stay allowed without greylisting since last seen. */
    @WithDefault("35d")
    Duration lifetime();
}
