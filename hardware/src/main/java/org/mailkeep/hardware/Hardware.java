package org.mailkeep.hardware;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.pwm.Pwm;
import com.pi4j.io.pwm.PwmType;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.pwm.LinuxFsPwmProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.pwm.MockPwmProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Opens the LEDs and the button that {@link HardwareConfig} describes.
 *
 * <p>Pi4J plugins, chosen for a Pi 4 on Debian's own kernel without any daemon or root:
 * <ul>
 *   <li>gpiod for the GPIO pins: the kernel's GPIO character device ({@code /dev/gpiochip0}, label
 *       {@code pinctrl-bcm2711}), which only needs the service user in the {@code gpio} group (or a udev rule);
 *       the plugin ships its own libgpiod.</li>
 *   <li>linuxfs only for the optional hardware PWM channel ({@code /sys/class/pwm}, with {@code dtoverlay=pwm}).</li>
 *   <li>not pigpio: it needs root and its own daemon, and drives the SoC's registers behind the kernel's back.</li>
 * </ul>
 * The board's own LEDs need no Pi4J at all: they are files under {@code /sys/class/leds} ({@link SysfsLed}).
 */
public final class Hardware {

    private static final System.Logger LOG = System.getLogger(Hardware.class.getName());

    private Hardware() {
    }

    /** Opens and starts the hardware; on a non-Pi machine under {@code auto}, or with {@code none}, nothing is driven. */
    public static StatusIndicator open(HardwareConfig config, ButtonListener listener) {
        return switch (config.platform()) {
            case NONE -> StatusIndicator.none();
            case MOCK -> openPi4j(mockContext(), "mock", config, listener, InstantSource.system()).start();
            case AUTO -> {
                Optional<String> model = raspberryPiModel(config);
                if (model.isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "mailkeep.hardware=auto: not a Raspberry Pi (no \"Raspberry Pi\" in "
                            + config.modelFile() + "), so no LEDs and no button");
                    yield StatusIndicator.none();
                }
                LOG.log(System.Logger.Level.INFO, "mailkeep.hardware=auto: " + model.get() + ", LEDs wired as "
                        + config.wiring().name().toLowerCase() + (config.buttonPin().map(p -> ", button on GPIO" + p).orElse(", no button")));
                yield (config.wiring() == Wiring.BOARD ? openBoard(config, listener, InstantSource.system())
                        : openPi4j(gpiodContext(config), "gpio", config, listener, InstantSource.system())).start();
            }
        };
    }

    /** The model string of the device tree when it names a Raspberry Pi. */
    static Optional<String> raspberryPiModel(HardwareConfig config) {
        try {
            // the device-tree property ends in a NUL byte
            String model = Files.readString(config.modelFile(), StandardCharsets.US_ASCII).replace("\0", "").trim();
            return model.contains("Raspberry Pi") ? Optional.of(model) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Pi4J's mock platform: digital outputs and PWM that only remember their state, and a button tests can press. */
    public static Context mockContext() {
        return Pi4J.newContextBuilder().noAutoDetect()
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(), MockPwmProvider.newInstance())
                .build();
    }

    private static Context gpiodContext(HardwareConfig config) {
        var builder = Pi4J.newContextBuilder().noAutoDetect()
                .add(GpioDDigitalOutputProvider.newInstance(), GpioDDigitalInputProvider.newInstance());
        if (config.pwmOutput().isPresent()) {
            builder.add(LinuxFsPwmProvider.newInstance(config.pwmChip()));
        }
        return builder.build();
    }

    /**
     * The panel on a Pi4J context (gpiod on a Pi, or the mock): one output per wired pin of the wiring, and
     * the button if it has a pin. The panel shuts the context down when it closes. Not started.
     */
    public static StatusPanel openPi4j(Context context, String platform, HardwareConfig config, ButtonListener listener,
                                       InstantSource clock) {
        boolean mock = platform.equals("mock");
        Wiring wiring = config.wiring() == Wiring.BOARD ? Wiring.GPIO : config.wiring(); // the mock simulates GPIO LEDs
        try {
            List<StatusPanel.Output> outputs = new ArrayList<>();
            for (Wiring.Role role : wiring.roles()) {
                Integer pin = config.pins().get(role.output());
                if (pin == null) {
                    continue;
                }
                LedOutput led;
                if (config.pwmOutput().filter(role.output()::equals).isPresent()) {
                    Pwm pwm = context.create(Pwm.newConfigBuilder(context).id("led-" + role.output()).name(role.output() + " LED")
                            .address(config.pwmChannel()).pwmType(PwmType.HARDWARE).frequency(1000).initial(0).shutdown(0)
                            .provider(mock ? MockPwmProvider.ID : LinuxFsPwmProvider.ID));
                    led = new PwmLed(role.output(), pwm, config.ledsActiveLow());
                } else {
                    DigitalState off = GpioLed.off(config.ledsActiveLow());
                    DigitalOutput out = context.create(DigitalOutput.newConfigBuilder(context).id("led-" + role.output())
                            .name(role.output() + " LED").address(pin).initial(off).shutdown(off)
                            .provider(mock ? MockDigitalOutputProvider.ID : GpioDDigitalOutputProvider.ID));
                    led = new GpioLed(role.output(), out, config.ledsActiveLow());
                }
                outputs.add(new StatusPanel.Output(led, role.leds()));
            }
            Optional<BooleanSupplier> button = config.buttonPin().map(pin -> button(context, mock, config, pin));
            return new StatusPanel(platform, outputs, button, listener, clock, config.debounceMillis(), context::shutdown);
        } catch (RuntimeException e) {
            context.shutdown();
            throw e;
        }
    }

    /** The board's ACT and PWR LEDs through sysfs, and the button (if wired) through gpiod. Not started. */
    public static StatusPanel openBoard(HardwareConfig config, ButtonListener listener, InstantSource clock) {
        List<StatusPanel.Output> outputs = new ArrayList<>();
        for (Wiring.Role role : Wiring.BOARD.roles()) {
            List<String> names = role.output().equals("act") ? config.actLedNames() : config.pwrLedNames();
            SysfsLed.open(role.output(), config.sysfsLeds(), names).ifPresentOrElse(
                    led -> outputs.add(new StatusPanel.Output(led, role.leds())),
                    () -> LOG.log(System.Logger.Level.WARNING, "no " + role.output() + " LED " + names + " under " + config.sysfsLeds()));
        }
        if (config.buttonPin().isEmpty()) {
            return new StatusPanel("sysfs", outputs, Optional.empty(), listener, clock, config.debounceMillis(), () -> { });
        }
        Context context = gpiodContext(config);
        BooleanSupplier button = button(context, false, config, config.buttonPin().get());
        return new StatusPanel("sysfs", outputs, Optional.of(button), listener, clock, config.debounceMillis(), context::shutdown);
    }

    private static BooleanSupplier button(Context context, boolean mock, HardwareConfig config, int pin) {
        DigitalState pressed = config.buttonActiveLow() ? DigitalState.LOW : DigitalState.HIGH;
        DigitalInput input = context.create(DigitalInput.newConfigBuilder(context).id("button").name("button").address(pin)
                .pull(config.buttonActiveLow() ? PullResistance.PULL_UP : PullResistance.PULL_DOWN)
                .provider(mock ? MockDigitalInputProvider.ID : GpioDDigitalInputProvider.ID));
        if (input instanceof MockDigitalInput m) {
            m.mockState(config.buttonActiveLow() ? DigitalState.HIGH : DigitalState.LOW); // the mock's button starts released
        }
        return () -> input.state() == pressed;
    }
}
