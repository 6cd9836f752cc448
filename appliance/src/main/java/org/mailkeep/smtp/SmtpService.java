package org.mailkeep.smtp;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.mailkeep.config.MailkeepConfig;
import org.mailkeep.box.Feature;
import org.mailkeep.health.Activities;
import org.mailkeep.box.HealthCheck;
import org.mailkeep.maillog.MailLog;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.checks.PolicyChain;
import org.mailkeep.queue.OutboundQueue;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.tls.CertificateStore;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs the {@link SmtpServer} in the appliance from Quarkus startup to shutdown, declares its ports
 * (the firewall opens them) and reports whether each enabled listener is up.
 */
@ApplicationScoped
public class SmtpService implements Feature, HealthCheck {

    private final List<SmtpServer.Listener> listeners;
    private final SmtpServer server;
    private final BoxIdentity setup;

    public SmtpService(Vertx vertx, MailkeepConfig config, SmtpLimits limits, Directory directory, MessageStore store, OutboundQueue queue,
                       PolicyChain policy, AuthGuard authGuard, CertificateStore certificates, BoxIdentity setup, MeterRegistry registry, Activities activities,
                       MailLog mailLog) {
        this.listeners = List.of(
                new SmtpServer.Listener("mx", config.smtp().port(), false, false),
                new SmtpServer.Listener("submission", config.submission().port(), true, false),
                new SmtpServer.Listener("submissions", config.submissions().port(), true, true));
        this.setup = setup;
        String fallbackHost = localHostName();
        this.server = new SmtpServer(vertx, config.bind(), listeners, limits, directory, store, queue, policy, authGuard, certificates,
                () -> setup.hostname().orElse(fallbackHost), new SmtpMetrics(registry, () -> activities.pulse(Activities.MAIL_IN)), mailLog::record);
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        server.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        server.stop();
    }

    @Override
    public String name() {
        return "smtp";
    }

    @Override
    public List<Port> ports() {
        return listeners.stream().map(l -> new Port("smtp-" + l.name(), l.port(), "tcp")).toList();
    }

    @Override
    public List<String> certificateNames() {
        return setup.hostname().stream().toList(); // the mail host name: MX STARTTLS and submission present it
    }

    @Override
    public Result check() {
        List<SmtpServer.Listener> enabled = listeners.stream().filter(l -> l.port() > 0).toList();
        List<String> down = enabled.stream().filter(l -> !server.listening(l)).map(l -> l.name() + " :" + l.port()).toList();
        String up = enabled.stream().filter(server::listening).map(l -> l.name() + " :" + l.port()).collect(Collectors.joining(", "));
        return down.isEmpty() ? Result.ok("smtp", "listening: " + (up.isEmpty() ? "no listener enabled" : up))
                : Result.fault("smtp", "not listening: " + String.join(", ", down));
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
