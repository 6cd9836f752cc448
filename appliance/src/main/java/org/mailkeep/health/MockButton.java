package org.mailkeep.health;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import org.jboss.logging.Logger;
import org.mailkeep.dns.DaemonTimer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The button of Pi4J's mock platform ({@code mailkeep.hardware=mock}), pressed from outside the process: a file
 * holding a number of milliseconds ({@code <data-dir>/mock-button}) holds the mock input down that long, then
 * releases it, and is removed. The press goes through the same debounce and press-length rules as a real
 * button (hardware module's StatusPanel), so a local run or an end-to-end test can claim the box "at the box".
 */
final class MockButton implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MockButton.class);
    private static final long POLL_MILLIS = 100;
    /** Longer than any press the StatusPanel knows (shutdown is a 10 s hold). */
    private static final long MAX_MILLIS = 15_000;

    private final MockDigitalInput input;
    private final Path file;
    private final DigitalState pressed;
    private final ScheduledExecutorService timer = DaemonTimer.named("mock-button");

    private MockButton(MockDigitalInput input, Path file, boolean activeLow) {
        this.input = input;
        this.file = file;
        this.pressed = activeLow ? DigitalState.LOW : DigitalState.HIGH;
        timer.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Watches {@code file} for the mock button of {@code context} (the input Hardware registered as "button"), if it has one. */
    static MockButton watch(Context context, Path file, boolean activeLow) {
        if (!context.registry().exists("button")) {
            return null;
        }
        DigitalInput button = context.registry().get("button", DigitalInput.class);
        return button instanceof MockDigitalInput mock ? new MockButton(mock, file, activeLow) : null;
    }

    private void poll() {
        if (!Files.exists(file)) {
            return;
        }
        long millis;
        try {
            String text = Files.readString(file).trim();
            Files.deleteIfExists(file);
            millis = Math.min(MAX_MILLIS, Long.parseLong(text.isEmpty() ? "200" : text));
        } catch (IOException | NumberFormatException e) {
            LOG.warnf("%s: not a number of milliseconds (%s)", file, e.getMessage());
            return;
        }
        LOG.infof("mock button held for %d ms", millis);
        input.mockState(pressed);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            input.mockState(pressed == DigitalState.LOW ? DigitalState.HIGH : DigitalState.LOW);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
