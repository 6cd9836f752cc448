package org.mailkeep.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives each Quarkus test run its own data directory and free loopback ports, so several runs (and the
 * real peers on their fixed ports) never collide. Tests read the chosen ports from {@link #PORTS}.
 */
public class ApplianceTestResource implements QuarkusTestResourceLifecycleManager {

    /** Port of each mail listener in this run, by config key ("mailkeep.smtp.port", ...). */
    public static final Map<String, Integer> PORTS = new HashMap<>();
    public static Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("mailkeep-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("mailkeep.data-dir", dataDir.toString());
        config.put("mailkeep.bind", "127.0.0.1");
        config.put("mailkeep.backup.target", dataDir.resolve("stick").toString());
        String[] keys = {"mailkeep.smtp.port", "mailkeep.submission.port", "mailkeep.submissions.port", "mailkeep.imap.port", "mailkeep.imaps.port"};
        int[] ports = FreePorts.distinct(keys.length);
        for (int i = 0; i < keys.length; i++) {
            PORTS.put(keys[i], ports[i]);
            config.put(keys[i], Integer.toString(ports[i]));
        }
        return config;
    }

    @Override
    public void stop() {
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
