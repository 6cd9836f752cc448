package org.mailkeep.backup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code mailkeep.backup.*} keys (docs/interface.md). */
@ConfigMapping(prefix = "mailkeep.backup")
public interface BackupConfig {

    /** Where the stick is mounted (a plain directory locally and in tests). */
    @WithDefault("/media/mailkeep-backup")
    String target();

    /** Local time of the daily backup, HH:MM; the schedule set through the API overrides it. */
    @WithDefault("03:30")
    String time();

    /** Retention: daily, weekly and monthly backups kept. */
    @WithDefault("7")
    int keepDaily();

    @WithDefault("4")
    int keepWeekly();

    @WithDefault("12")
    int keepMonthly();

    /** Where the kernel lists block devices, and udev its database: the stick detection reads both. */
    @WithDefault("/sys/block")
    String sysBlock();

    @WithDefault("/run/udev/data")
    String udevData();

    /**
     * Where the appliance leaves requests for the root stick helper (eject, prepare: image-build's
     * mailkeep-stick-request.path) and reads its answers.
     */
    @WithDefault("/run/mailkeep")
    String requestDir();

    /** Uncompressed bytes per pack file before a new one is started. */
    @WithDefault("268435456")
    long packBytes();
}
