package org.mailkeep.queue;

import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;
import org.mailkeep.store.StoreSchema;
import org.mailkeep.testsupport.ApplianceTestResource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An appliance whose resolver is the local BIND and whose outbound port is the one under test (init arg
 * "port": 2525 the Postfix MX, 2535 the reputation-refusing Postfix), with retry timing in seconds. Init arg "preload" puts a message in the queue before the appliance
 * starts, as a previous run would have left it.
 */
public class OutboundTestResource extends ApplianceTestResource {

    public static final String PRELOADED_MARKER = "preloaded-" + System.nanoTime();
    private Map<String, String> args = Map.of();

    @Override
    public void init(Map<String, String> initArgs) {
        args = initArgs;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        String port = args.getOrDefault("port", "2525");
        config.put("mailkeep.dns.servers", "127.0.0.1:5353");
        config.put("mailkeep.outbound.port", port);
        config.put("mailkeep.outbound.retry-initial", args.getOrDefault("retry-initial", "1s"));
        config.put("mailkeep.outbound.retry-max", args.getOrDefault("retry-max", "2s"));
        config.put("mailkeep.outbound.poll-interval", "300ms");
        config.put("mailkeep.outbound.connect-timeout", "3s");
        config.put("mailkeep.outbound.lifetime", args.getOrDefault("lifetime", "5d"));
        config.put("mailkeep.outbound.delay-notice", args.getOrDefault("delay-notice", "4h"));
        config.put("mailkeep.outbound.fallback-probe", args.getOrDefault("fallback-probe", "1h"));
        config.put("mailkeep.outbound.greeting-timeout", "20s");
        config.put("mailkeep.outbound.mail-timeout", "20s");
        config.put("mailkeep.outbound.rcpt-timeout", "20s");
        config.put("mailkeep.outbound.data-init-timeout", "20s");
        config.put("mailkeep.outbound.data-block-timeout", "20s");
        config.put("mailkeep.outbound.data-end-timeout", "20s");
        if (Boolean.parseBoolean(args.getOrDefault("preload", "false"))) {
            preload();
        }
        return config;
    }

    /** What an earlier run left: a queued message on disk, then the process went away. */
    private static void preload() {
        DataDirectory dirs = new DataDirectory(dataDir);
        Database db = new Database(dirs, List.of(new StoreSchema(), new QueueSchema()), Integer.MAX_VALUE);
        try {
            MessageStore store = new MessageStore(db, dirs);
            Path spool = store.newSpoolFile();
            Files.writeString(spool, OutboundMail.message("alice@example.test", "carol@example.net", PRELOADED_MARKER), StandardCharsets.UTF_8);
            new OutboundQueue(db, store).enqueue(spool, "alice@example.test", List.of("carol@example.net"), "alice@example.test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            db.close();
        }
    }
}
