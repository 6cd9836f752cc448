package org.mailkeep.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.box.HealthCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Whether the clock can be trusted: TLS certificate validity and DKIM signature times (RFC 6376 section
 * 3.5, t= and x=) need it, and a Pi has no real-time clock, so it boots with a stale time until NTP answers.
 *
 * <p>Synchronisation is read from systemd-timesyncd, which creates {@code /run/systemd/timesync/synchronized}
 * once the kernel's clock has been set from NTP (systemd-timesyncd.service(8), "Files"). That is the same flag
 * {@code timedatectl} shows as "System clock synchronized"; asking the kernel directly (adjtimex, STA_UNSYNC)
 * would need native code, which a Java 17 appliance without JNI cannot call. Where timesyncd does not run
 * (a developer's machine, a container) synchronisation is not checked, only plausibility.
 */
@ApplicationScoped
public class ClockCheck implements HealthCheck {

    static final String NAME = "clock";
    /** No correct clock reads earlier than this: it is before this code was written. */
    static final Instant NOT_BEFORE = Instant.parse("2026-01-01T00:00:00Z");

    private final Path timesyncDir;
    private final InstantSource clock;

    @Inject
    public ClockCheck(BoxHealthConfig config) {
        this(Path.of(config.timesyncDir()), InstantSource.system());
    }

    ClockCheck(Path timesyncDir, InstantSource clock) {
        this.timesyncDir = timesyncDir;
        this.clock = clock;
    }

    @Override
    public Result check() {
        Instant now = clock.instant();
        if (now.isBefore(NOT_BEFORE)) {
            return Result.fault(NAME, "the clock reads " + now + ", which cannot be right: certificates and DKIM signatures"
                    + " fail until NTP sets it (is the network up, UDP port 123 open?)");
        }
        if (!Files.isDirectory(timesyncDir)) {
            return Result.ok(NAME, "clock plausible (" + now + "); synchronisation not checked: systemd-timesyncd not running");
        }
        if (Files.exists(timesyncDir.resolve("synchronized"))) {
            return Result.ok(NAME, "synchronised by NTP (systemd-timesyncd)");
        }
        return Result.warning(NAME, "not synchronised yet: systemd-timesyncd has had no NTP answer (network, UDP port 123?)");
    }
}
