package org.mailkeep.admin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code mailkeep.admin.*}: the admin session and login throttling (docs/interface.md). */
@ConfigMapping(prefix = "mailkeep.admin")
public interface AdminConfig {

    /** An admin session ends after this long without a request. */
    @WithDefault("PT30M")
    Duration sessionIdle();

    /** Failed logins (or setup-token guesses) one client may make within {@link #loginWindow()} before it must wait. */
    @WithDefault("5")
    int loginFailures();

    @WithDefault("PT15M")
    Duration loginWindow();

    /** Serve the admin page (UI, /api, /q) only to loopback, private and link-local clients; the admin setting wins. */
    @WithDefault("true")
    boolean lanOnly();
}
