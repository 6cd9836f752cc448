package org.mailkeep.hardware;

/** One physical LED (or one channel of an RGB LED) that the panel drives. */
public interface LedOutput extends AutoCloseable {

    /** Short name shown in the API and the wiring test: green, amber, red, activity, act, pwr, ... */
    String name();

    /** True when {@link #set(double)} can dim (PWM); otherwise {@link #isOn(double) levels of 0.5 and up} are on. */
    boolean dimmable();

    /** Sets the brightness, 0..1. Implementations write to the hardware only when the value changes. */
    void set(double level);

    /**
     * Whether an on/off LED is lit at this level: from one half up. The tolerance keeps the breathing
     * pattern's switch exactly at a quarter period, where its raised cosine computes to 0.4999….
     */
    static boolean isOn(double level) {
        return level >= 0.5 - 1e-9;
    }

    /** Turns the LED off and gives it back as the system had it. */
    @Override
    void close();
}
