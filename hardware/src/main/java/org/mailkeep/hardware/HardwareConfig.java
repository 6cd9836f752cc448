package org.mailkeep.hardware;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that differs between boxes: where the LEDs and the button are. Pins are BCM GPIO numbers; a
 * pin that is not wired is simply absent from {@link #pins()}.
 *
 * @param platform        auto (a Raspberry Pi gets its GPIO, anything else no hardware), mock (Pi4J's mock
 *                        platform: the real state machine, nothing physical) or none
 * @param wiring          which LEDs are attached
 * @param pins            output name ({@code green}, {@code amber}, {@code red}, {@code activity}) → BCM pin
 * @param ledsActiveLow   true when the LEDs are wired from 3.3 V to the pin (the pin sinks current)
 * @param buttonPin       BCM pin of the push button, if one is wired
 * @param buttonActiveLow true (the usual) when the button connects the pin to ground, with the internal pull-up
 * @param pwmOutput       the output (if any) on a hardware PWM channel, which then breathes smoothly
 * @param pwmChip         /sys/class/pwm/pwmchipN for {@code pwmOutput}
 * @param pwmChannel      channel on that chip (GPIO18 and GPIO12 are channel 0, GPIO19 and GPIO13 channel 1)
 * @param sysfsLeds       the LED class directory, normally /sys/class/leds
 * @param actLedNames     names the ACT LED may have there, first existing wins
 * @param pwrLedNames     names the PWR LED may have there
 * @param modelFile       the device-tree model, which says whether this is a Raspberry Pi
 * @param debounceMillis  how long the button's contact must be stable
 */
public record HardwareConfig(Platform platform, Wiring wiring, Map<String, Integer> pins, boolean ledsActiveLow,
                             Optional<Integer> buttonPin, boolean buttonActiveLow, Optional<String> pwmOutput, int pwmChip,
                             int pwmChannel, Path sysfsLeds, List<String> actLedNames, List<String> pwrLedNames, Path modelFile,
                             long debounceMillis) {

    public enum Platform {
        AUTO, MOCK, NONE;

        public static Platform parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mailkeep.hardware must be auto, mock or none, not '" + value + "'", e);
            }
        }
    }

    public HardwareConfig {
        pins = Map.copyOf(pins);
        actLedNames = List.copyOf(actLedNames);
        pwrLedNames = List.copyOf(pwrLedNames);
        for (String name : pins.keySet()) {
            if (wiring != Wiring.BOARD && wiring.roles().stream().noneMatch(r -> r.output().equals(name))) {
                throw new IllegalArgumentException("no LED '" + name + "' in the " + wiring.name().toLowerCase(Locale.ROOT) + " wiring");
            }
        }
        if (pwmOutput.isPresent() && !pins.containsKey(pwmOutput.get())) {
            throw new IllegalArgumentException("the PWM LED '" + pwmOutput.get() + "' has no pin");
        }
    }

    /** The wiring of hardware/README.md: green 17, amber 27, red 22, activity 23, button 24, LEDs active-high. */
    public static HardwareConfig defaults(Platform platform) {
        return new HardwareConfig(platform, Wiring.GPIO, Map.of("green", 17, "amber", 27, "red", 22, "activity", 23), false,
                Optional.of(24), true, Optional.empty(), 0, 0, Path.of("/sys/class/leds"), List.of("ACT", "led0"),
                List.of("PWR", "led1"), Path.of("/proc/device-tree/model"), 30);
    }

    public HardwareConfig withWiring(Wiring wiring, Map<String, Integer> pins) {
        return new HardwareConfig(platform, wiring, pins, ledsActiveLow, buttonPin, buttonActiveLow, Optional.empty(), pwmChip,
                pwmChannel, sysfsLeds, actLedNames, pwrLedNames, modelFile, debounceMillis);
    }

    public HardwareConfig withPwm(String output, int chip, int channel) {
        return new HardwareConfig(platform, wiring, pins, ledsActiveLow, buttonPin, buttonActiveLow, Optional.of(output), chip,
                channel, sysfsLeds, actLedNames, pwrLedNames, modelFile, debounceMillis);
    }

    public HardwareConfig withButton(Optional<Integer> pin) {
        return new HardwareConfig(platform, wiring, pins, ledsActiveLow, pin, buttonActiveLow, pwmOutput, pwmChip,
                pwmChannel, sysfsLeds, actLedNames, pwrLedNames, modelFile, debounceMillis);
    }

    public HardwareConfig withPaths(Path sysfsLeds, Path modelFile) {
        return new HardwareConfig(platform, wiring, pins, ledsActiveLow, buttonPin, buttonActiveLow, pwmOutput, pwmChip,
                pwmChannel, sysfsLeds, actLedNames, pwrLedNames, modelFile, debounceMillis);
    }
}
