package org.mailkeep.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLOptions;
import org.jboss.logging.Logger;
import org.mailkeep.maillog.MailEvent;
import org.mailkeep.net.Cidr;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.checks.PolicyChain;
import org.mailkeep.queue.OutboundQueue;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.tls.CertificateStore;
import org.mailkeep.tls.TlsProfile;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The SMTP engine: one Vert.x {@link NetServer} per configured listener (MX, submission with STARTTLS,
 * submission with implicit TLS, RFC 8314), all sharing the connection limits, the store and the policy chain.
 * Plain class so tests can run it on a Vert.x of their own; {@link SmtpService} runs it in the appliance.
 */
public final class SmtpServer {

    private static final Logger LOG = Logger.getLogger(SmtpServer.class);

    /** A listener: {@code port} 0 disables it. */
    public record Listener(String name, int port, boolean submission, boolean implicitTls) {
    }

    private final Vertx vertx;
    private final String bind;
    private final List<Listener> listeners;
    private final SmtpLimits limits;
    private final Directory directory;
    private final MessageStore store;
    private final OutboundQueue queue;
    private final PolicyChain policy;
    private final AuthGuard authGuard;
    private final CertificateStore certificates;
    private final Supplier<String> hostname;
    private final SmtpMetrics metrics;
    private final Consumer<MailEvent> mailLog;

    private final Map<Listener, NetServer> servers = new ConcurrentHashMap<>();
    /** Sessions per client network (IPv4 address, IPv6 /64): a client rotating addresses in its /64 is one client. */
    private final Map<Cidr, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();

    public SmtpServer(Vertx vertx, String bind, List<Listener> listeners, SmtpLimits limits, Directory directory, MessageStore store,
                      OutboundQueue queue, PolicyChain policy, AuthGuard authGuard, CertificateStore certificates, Supplier<String> hostname, SmtpMetrics metrics,
                      Consumer<MailEvent> mailLog) {
        this.vertx = vertx;
        this.bind = bind;
        this.listeners = List.copyOf(listeners);
        this.limits = limits;
        this.directory = directory;
        this.store = store;
        this.queue = queue;
        this.policy = policy;
        this.authGuard = authGuard;
        this.certificates = certificates;
        this.hostname = hostname;
        this.metrics = metrics;
        this.mailLog = mailLog;
        metrics.connectionsGauge(connections);
    }

    /** Starts every enabled listener; fails when a port cannot be bound. */
    public void start() throws Exception {
        List<Future<NetServer>> started = new ArrayList<>();
        for (Listener listener : listeners) {
            if (listener.port() <= 0) {
                continue;
            }
            NetServerOptions options = TlsProfile.apply(new NetServerOptions().setHost(bind).setPort(listener.port())
                    .setSsl(listener.implicitTls()).setKeyCertOptions(certificates.keyCertOptions()).setTcpNoDelay(true));
            NetServer server = vertx.createNetServer(options);
            server.connectHandler(socket -> accept(listener, socket));
            started.add(server.listen().onSuccess(s -> {
                servers.put(listener, s);
                LOG.infof("SMTP %s listening on %s:%d", listener.name(), bind, listener.port());
            }));
        }
        Future.all(started).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        // ACME renewals replace the certificate: new handshakes use it at once, no restart (RFC 8314 listeners included)
        certificates.onChange(this::reloadCertificate);
    }

    private void reloadCertificate() {
        SSLOptions options = TlsProfile.sslOptions(certificates.keyCertOptions());
        servers.forEach((listener, server) -> server.updateSSLOptions(options, true)
                .onSuccess(updated -> LOG.infof("SMTP %s: certificate reloaded", listener.name()))
                .onFailure(e -> LOG.errorf("SMTP %s: cannot reload certificate: %s", listener.name(), e.getMessage())));
    }

    /** Stops accepting; sessions in progress are closed by Vert.x. */
    public void stop() {
        List<Future<Void>> closing = new ArrayList<>();
        servers.values().forEach(s -> closing.add(s.close()));
        try {
            Future.all(closing).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("SMTP listeners did not close cleanly: %s", e.getMessage());
        }
        servers.clear();
    }

    /** Whether {@code listener} is accepting connections. */
    public boolean listening(Listener listener) {
        return servers.containsKey(listener);
    }

    public List<Listener> listeners() {
        return listeners;
    }

    /** The port actually bound (differs from the configured one only when that was 0 in tests). */
    public int actualPort(Listener listener) {
        NetServer server = servers.get(listener);
        return server == null ? 0 : server.actualPort();
    }

    private void accept(Listener listener, NetSocket socket) {
        InetAddress remote = remoteInetAddress(socket);
        metrics.connection(listener.name());
        int total = connections.incrementAndGet();
        int fromIp = perIp.computeIfAbsent(Cidr.client(remote), k -> new AtomicInteger()).incrementAndGet();
        if (total > limits.maxConnections() || fromIp > limits.maxConnectionsPerIp()) {
            metrics.rejected("connection-limit");
            socket.write("421 4.7.0 Too many connections" + (total > limits.maxConnections() ? "" : " from " + Cidr.client(remote))
                    + ", try again later\r\n");
            socket.close();
            release(remote);
            return;
        }
        String id = HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong())).substring(0, 12).toUpperCase();
        new SmtpSession(this, listener, socket, id).start();
    }

    void sessionEnded(SmtpSession session, InetAddress remote) {
        release(remote);
    }

    private void release(InetAddress remote) {
        connections.decrementAndGet();
        perIp.computeIfPresent(Cidr.client(remote), (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    InetAddress remoteInetAddress(NetSocket socket) {
        try {
            return InetAddress.getByName(socket.remoteAddress().hostAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an IP address: " + socket.remoteAddress(), e);
        }
    }

    private static byte[] longBytes(long value) {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }

    Vertx vertx() { return vertx; }
    SmtpLimits limits() { return limits; }
    Directory directory() { return directory; }
    AuthGuard authGuard() { return authGuard; }
    MessageStore store() { return store; }
    OutboundQueue queue() { return queue; }
    PolicyChain policy() { return policy; }
    SmtpMetrics metrics() { return metrics; }
    Consumer<MailEvent> mailLog() { return mailLog; }
    boolean tlsAvailable() { return certificates != null; }
    String hostname() { return hostname.get(); }
}
