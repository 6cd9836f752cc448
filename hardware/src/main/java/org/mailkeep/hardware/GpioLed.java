package org.mailkeep.hardware;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;

/** An LED on a GPIO output, on or off. Active-low wiring (LED from 3.3 V to the pin) inverts the level. */
final class GpioLed extends ChangeOnlyLed {

    private final DigitalOutput output;
    private final boolean activeLow;

    GpioLed(String name, DigitalOutput output, boolean activeLow) {
        super(name);
        this.output = output;
        this.activeLow = activeLow;
    }

    @Override
    public boolean dimmable() {
        return false;
    }

    @Override
    int value(double level) {
        return LedOutput.isOn(level) ? 1 : 0;
    }

    @Override
    void write(int on) {
        output.state((on == 1) != activeLow ? DigitalState.HIGH : DigitalState.LOW);
    }

    static DigitalState off(boolean activeLow) {
        return activeLow ? DigitalState.HIGH : DigitalState.LOW;
    }
}
