package org.mailkeep.hardware;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.pwm.Pwm;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** A StatusPanel on Pi4J's mock platform, with access to the mock pins it drives. */
final class MockPanel implements AutoCloseable {

    final Context context = Hardware.mockContext();
    final List<Press> presses = new ArrayList<>();
    final StatusPanel panel;

    MockPanel(HardwareConfig config, InstantSource clock) {
        panel = Hardware.openPi4j(context, "mock", config, presses::add, clock);
    }

    boolean lit(String led) {
        return context.registry().get("led-" + led, DigitalOutput.class).state() == DigitalState.HIGH;
    }

    float duty(String led) {
        Pwm pwm = context.registry().get("led-" + led, Pwm.class);
        return pwm.isOn() ? pwm.getDutyCycle() : 0;
    }

    void button(boolean pressed) {
        // the default wiring: button to ground, pressed = LOW
        context.registry().get("button", MockDigitalInput.class).mockState(pressed ? DigitalState.LOW : DigitalState.HIGH);
    }

    /** Ticks every {@code step} ms for {@code millis} ms; returns the times (relative to the start) at which {@code led} turned on. */
    List<Long> risingEdges(ManualClock clock, String led, long millis, long step) {
        return edges(clock, millis, step, () -> lit(led));
    }

    List<Long> edges(ManualClock clock, long millis, long step, java.util.function.BooleanSupplier on) {
        List<Long> rising = new ArrayList<>();
        boolean was = on.getAsBoolean();
        for (long t = 0; t < millis; t += step) {
            panel.tick();
            boolean now = on.getAsBoolean();
            if (now && !was) {
                rising.add(t);
            }
            was = now;
            clock.advance(step);
        }
        return rising;
    }


    @Override
    public void close() {
        panel.close();
    }
}
