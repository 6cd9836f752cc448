package org.mailkeep.hardware;

import com.pi4j.io.pwm.Pwm;

/** An LED on a hardware PWM channel, so that "breathing" really dims. */
final class PwmLed extends ChangeOnlyLed {

    /** Duty-cycle steps (percent); finer steps are invisible and only cost writes. */
    private static final int STEPS = 100;

    private final Pwm pwm;
    private final boolean activeLow;

    PwmLed(String name, Pwm pwm, boolean activeLow) {
        super(name);
        this.pwm = pwm;
        this.activeLow = activeLow;
    }

    @Override
    public boolean dimmable() {
        return true;
    }

    @Override
    int value(double level) {
        return (int) Math.round(level * STEPS);
    }

    @Override
    void write(int duty) {
        int out = activeLow ? STEPS - duty : duty;
        if (out == 0) {
            pwm.off(); // Pi4J reads a duty cycle of 0 in on(..) as "keep the last one"
        } else {
            pwm.on(out);
        }
    }
}
