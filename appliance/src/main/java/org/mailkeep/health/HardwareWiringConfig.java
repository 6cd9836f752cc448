package org.mailkeep.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Optional;

/**
 * Where the LEDs and the button are ({@code mailkeep.hardware.*}; the platform itself is {@code mailkeep.hardware}
 * in {@link org.mailkeep.config.MailkeepConfig}). hardware/README.md has the wiring these defaults describe.
 */
@ConfigMapping(prefix = "mailkeep.hardware")
public interface HardwareWiringConfig {

    /** gpio (separate LEDs), rgb (one RGB LED) or board (the Pi's own ACT/PWR LEDs, nothing wired). */
    @WithDefault("board")
    String leds();

    /** {@code name:BCM} pairs of the wired LEDs (gpio: green, amber, red, activity; rgb: red, green, activity). */
    @WithDefault("green:17,amber:27,red:22,activity:23")
    List<String> pins();

    /** BCM pin of the push button, or {@code none}. */
    @WithName("button-pin")
    @WithDefault("24")
    String buttonPin();

    /** True when the LEDs are wired from 3.3 V to the pin (common-anode RGB). */
    @WithName("leds-active-low")
    @WithDefault("false")
    boolean ledsActiveLow();

    /** True (the default) when the button connects the pin to ground; the pin's pull-up holds it high otherwise. */
    @WithName("button-active-low")
    @WithDefault("true")
    boolean buttonActiveLow();

    /** The LED on a hardware PWM channel (then it really breathes): one of the names in {@link #pins()}. */
    @WithName("pwm-led")
    Optional<String> pwmLed();

    @WithName("pwm-chip")
    @WithDefault("0")
    int pwmChip();

    @WithName("pwm-channel")
    @WithDefault("0")
    int pwmChannel();

    /** The kernel's LED class directory (board LEDs). */
    @WithName("sysfs-leds")
    @WithDefault("/sys/class/leds")
    String sysfsLeds();

    /** Names the Pi's green ACT LED has under {@link #sysfsLeds()}, first existing wins. */
    @WithName("act-led")
    @WithDefault("ACT,led0")
    List<String> actLed();

    /** Names the Pi's red PWR LED has under {@link #sysfsLeds()}. */
    @WithName("pwr-led")
    @WithDefault("PWR,led1")
    List<String> pwrLed();

    /** The device-tree model, which tells a Raspberry Pi from any other machine. */
    @WithName("model-file")
    @WithDefault("/proc/device-tree/model")
    String modelFile();
}
