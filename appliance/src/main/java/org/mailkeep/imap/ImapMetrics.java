package org.mailkeep.imap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The IMAP figures on /q/metrics (docs/metrics.md): sessions by listener, open sessions, and each command's count
 * and latency by command name. Events are recorded with one static call from the session; the open-session gauge
 * reads {@link ImapServer} when scraped.
 */
@Singleton
public class ImapMetrics {

    private static final Counter IMAP = sessions("imap");
    private static final Counter IMAPS = sessions("imaps");
    /** One timer per command name: the parser accepts a fixed set of names, so the label stays small. */
    private static final Map<String, Timer> COMMANDS = new ConcurrentHashMap<>();

    void register(@Observes StartupEvent event, MeterRegistry registry, ImapServer server) {
        Gauge.builder("mailkeep.imap.sessions.open", server::openConnections).description("IMAP connections open now").register(registry);
    }

    private static Counter sessions(String listener) {
        return Counter.builder("mailkeep.imap.sessions").description("IMAP connections accepted").tag("listener", listener)
                .register(Metrics.globalRegistry);
    }

    static void session(boolean implicitTls) {
        (implicitTls ? IMAPS : IMAP).increment();
    }

    /** The time a command took from parsed to answered (IDLE: until it began waiting; APPEND: after its literal arrived). */
    static void command(Command command, long nanos) {
        COMMANDS.computeIfAbsent(name(command), name -> Timer.builder("mailkeep.imap.command").description("IMAP commands by name, with their latency")
                .tag("command", name).register(Metrics.globalRegistry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The command's name as the client sent it (RFC 3501 §6, RFC 9051 §6); UID variants share their command's name. */
    static String name(Command command) {
        if (command instanceof Command.Simple s) {
            return s.name();
        } else if (command instanceof Command.MailboxCommand m) {
            return m.name();
        } else if (command instanceof Command.Select s) {
            return s.readOnly() ? "EXAMINE" : "SELECT";
        } else if (command instanceof Command.ListCommand l) {
            return l.lsub() ? "LSUB" : "LIST";
        } else if (command instanceof Command.Copy c) {
            return c.move() ? "MOVE" : "COPY";
        } else if (command instanceof Command.UidExpunge) {
            return "EXPUNGE";
        }
        return command.getClass().getSimpleName().toUpperCase(Locale.ROOT);
    }
}
