package org.mailkeep.hardware;

/**
 * The part every LED driver shares: the level is turned into the hardware's value (on/off, duty cycle,
 * brightness step) and written only when that value changes, so a 50 Hz tick costs no I/O on a steady LED.
 */
abstract class ChangeOnlyLed implements LedOutput {

    private final String name;
    private int written = -1;

    ChangeOnlyLed(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void set(double level) {
        int value = value(Math.max(0, Math.min(1, level)));
        if (value != written) {
            write(value);
            written = value;
        }
    }

    /** The hardware value for a level of 0..1. */
    abstract int value(double level);

    abstract void write(int value);

    @Override
    public void close() {
        set(0);
    }
}
