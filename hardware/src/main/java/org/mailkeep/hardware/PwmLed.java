package org.mailkeep.hardware;

import com.pi4j.io.pwm.Pwm;

/** An LED on a hardware PWM channel, so that "breathing" really dims. */
final class PwmLed implements LedOutput {

    /** Duty-cycle steps (percent); finer steps are invisible and only cost writes. */
    private static final int STEPS = 100;

    private final String name;
    private final Pwm pwm;
    private final boolean activeLow;
    private int duty = -1;

    PwmLed(String name, Pwm pwm, boolean activeLow) {
        this.name = name;
        this.pwm = pwm;
        this.activeLow = activeLow;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean dimmable() {
        return true;
    }

    @Override
    public void set(double level) {
        int next = (int) Math.round(Math.max(0, Math.min(1, level)) * STEPS);
        if (next != duty) {
            int out = activeLow ? STEPS - next : next;
            if (out == 0) {
                pwm.off(); // Pi4J reads a duty cycle of 0 in on(..) as "keep the last one"
            } else {
                pwm.on(out);
            }
            duty = next;
        }
    }

    @Override
    public void close() {
        set(0);
    }
}
