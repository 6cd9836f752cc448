package org.mailkeep.hardware;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;

/** An LED on a GPIO output, on or off. Active-low wiring (LED from 3.3 V to the pin) inverts the level. */
final class GpioLed implements LedOutput {

    private final String name;
    private final DigitalOutput output;
    private final boolean activeLow;
    private Boolean lit;

    GpioLed(String name, DigitalOutput output, boolean activeLow) {
        this.name = name;
        this.output = output;
        this.activeLow = activeLow;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean dimmable() {
        return false;
    }

    @Override
    public void set(double level) {
        boolean on = LedOutput.isOn(level);
        if (lit == null || lit != on) {
            output.state(on != activeLow ? DigitalState.HIGH : DigitalState.LOW);
            lit = on;
        }
    }

    @Override
    public void close() {
        set(0);
    }

    static DigitalState off(boolean activeLow) {
        return activeLow ? DigitalState.HIGH : DigitalState.LOW;
    }
}
