package org.mailkeep.hardware;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * One of the board's own LEDs through the kernel's LED class ({@code /sys/class/leds/<name>/}, see the
 * kernel's Documentation/leds/leds-class.rst): the {@code trigger} file lists the triggers with the active one
 * in brackets; writing {@code none} hands the LED to user space, writing {@code brightness} (0..
 * {@code max_brightness}) lights it. The trigger found on opening is written back on {@link #close()}, so
 * the ACT LED shows SD-card activity again and the PWR LED power once MailKeep stops.
 */
public final class SysfsLed extends ChangeOnlyLed {

    private static final java.util.regex.Pattern ACTIVE_TRIGGER = java.util.regex.Pattern.compile("\\[([^\\]]+)]");

    private final Path dir;
    private final String savedTrigger;
    private final int maxBrightness;

    private SysfsLed(String name, Path dir, String savedTrigger, int maxBrightness) {
        super(name);
        this.dir = dir;
        this.savedTrigger = savedTrigger;
        this.maxBrightness = maxBrightness;
    }

    /**
     * Opens the first of {@code candidates} that exists under {@code root} (kernels name the Pi's LEDs
     * {@code ACT}/{@code PWR} or, older ones, {@code led0}/{@code led1}) and takes it over from its trigger.
     */
    public static Optional<SysfsLed> open(String name, Path root, List<String> candidates) {
        for (String candidate : candidates) {
            Path dir = root.resolve(candidate);
            if (Files.isRegularFile(dir.resolve("brightness")) && Files.isRegularFile(dir.resolve("trigger"))) {
                String trigger = activeTrigger(read(dir.resolve("trigger")));
                String max = Files.isRegularFile(dir.resolve("max_brightness")) ? read(dir.resolve("max_brightness")) : "1";
                SysfsLed led = new SysfsLed(name, dir, trigger, Math.max(1, Integer.parseInt(max.trim())));
                write(dir.resolve("trigger"), "none");
                return Optional.of(led);
            }
        }
        return Optional.empty();
    }

    /** The bracketed entry of a trigger listing such as {@code none [mmc0] timer heartbeat}. */
    static String activeTrigger(String listing) {
        Matcher m = ACTIVE_TRIGGER.matcher(listing);
        return m.find() ? m.group(1) : "none";
    }

    @Override
    public boolean dimmable() {
        return maxBrightness > 1;
    }

    @Override
    int value(double level) {
        return dimmable() ? (int) Math.round(level * maxBrightness) : (LedOutput.isOn(level) ? 1 : 0);
    }

    @Override
    void write(int brightness) {
        write(dir.resolve("brightness"), Integer.toString(brightness));
    }

    /** Turns the LED off and gives it back to the trigger it had when MailKeep took it. */
    @Override
    public void close() {
        super.close();
        write(dir.resolve("trigger"), savedTrigger);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
