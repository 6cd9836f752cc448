package org.mailkeep.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Where the checks of the box itself read the Pi's sensors ({@code mailkeep.health.*}); tests point them at files of their own. */
@ConfigMapping(prefix = "mailkeep.health")
public interface BoxHealthConfig {

    /** CPU temperature in millidegrees Celsius (thermal zone of the SoC; bcm2711_thermal on a Pi 4). */
    @WithName("thermal-file")
    @WithDefault("/sys/class/thermal/thermal_zone0/temp")
    String thermalFile();

    /** Warning from this CPU temperature (°C): the Pi 4 firmware starts to throttle at 80 °C. */
    @WithName("temperature-warning")
    @WithDefault("75")
    double temperatureWarning();

    /** Fault from this CPU temperature (°C): at 85 °C the firmware throttles hard. */
    @WithName("temperature-fault")
    @WithDefault("85")
    double temperatureFault();

    /** The firmware's throttle flags as exposed by the Raspberry Pi kernel (absent on Debian's kernel). */
    @WithName("throttled-file")
    @WithDefault("/sys/devices/platform/soc/soc:firmware/get_throttled")
    String throttledFile();

    /** Where the mainline raspberrypi-hwmon driver (Debian's kernel) appears as a hwmon device named rpi_volt. */
    @WithName("hwmon-dir")
    @WithDefault("/sys/class/hwmon")
    String hwmonDir();

    /**
     * The kernel's memory summary (proc(5), MemTotal), which says whether the box has the memory ClamAV needs;
     * empty = not checked (local runs and tests). The appliance default, /proc/meminfo, is in application.properties.
     */
    @WithName("meminfo-file")
    java.util.Optional<String> meminfoFile();

    /** systemd-timesyncd's state directory; it holds the file "synchronized" once NTP has set the clock. */
    @WithName("timesync-dir")
    @WithDefault("/run/systemd/timesync")
    String timesyncDir();

    /** Mount point of the SD card's FAT boot partition; kernel updates need it mounted (absent: not checked). */
    @WithName("boot-partition")
    @WithDefault("/boot/firmware")
    String bootPartition();
}
