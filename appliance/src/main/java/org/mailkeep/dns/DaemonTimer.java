package org.mailkeep.dns;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The one background thread of a periodic job (DDNS, network checks, ACME): a daemon, so it never holds up shutdown. */
public final class DaemonTimer {

    private DaemonTimer() {
    }

    public static ScheduledExecutorService named(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
