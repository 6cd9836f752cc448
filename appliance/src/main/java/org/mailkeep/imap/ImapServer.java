package org.mailkeep.imap;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.config.MailkeepConfig;
import org.mailkeep.box.Feature;
import org.mailkeep.box.HealthCheck;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.tls.CertificateStore;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The IMAP listeners: {@code mailkeep.imap.port} (STARTTLS, RFC 3501 §6.2.1) and {@code mailkeep.imaps.port}
 * (implicit TLS, RFC 8314), on Vert.x. The event loop only moves bytes; each session's commands run on a
 * small shared worker pool, one at a time per session, and a session waiting in IDLE holds no thread.
 * The certificate is reloaded without dropping connections when {@link CertificateStore} changes.
 */
@ApplicationScoped
public class ImapServer implements Feature, HealthCheck {

    private static final Logger LOG = Logger.getLogger(ImapServer.class);
    /** Received bytes queued for a session before the socket is paused. */
    static final int INPUT_HIGH_WATER = 256 * 1024;
    private static final long WRITE_WAIT_SECONDS = 120;
    /** How long a verified login is remembered (see {@link CredentialCache}). */
    static final long CREDENTIAL_TTL_MILLIS = 60_000;

    private final Vertx vertx;
    private final MailkeepConfig config;
    private final ImapConfig imapConfig;
    private final CertificateStore certificates;
    private final ImapSession.Services services;
    private final List<NetServer> servers = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile String failure;
    private ExecutorService workers;

    public ImapServer(Vertx vertx, MailkeepConfig config, ImapConfig imapConfig, CertificateStore certificates, ImapStore store, AuthGuard authGuard,
                      Directory directory, MessageStore messageStore) {
        this.vertx = vertx;
        this.config = config;
        this.imapConfig = imapConfig;
        this.certificates = certificates;
        this.services = new ImapSession.Services(store, directory, authGuard,
                new CredentialCache(CREDENTIAL_TTL_MILLIS, Clock.systemUTC()),
                imapConfig.appendLimit(), messageStore::newSpoolFile);
    }

    void start(@Observes StartupEvent event) {
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(imapConfig.workers(), r -> {
            Thread t = new Thread(r, "imap-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        listen(config.imap().port(), false);
        listen(config.imaps().port(), true);
        certificates.onChange(this::reloadCertificate);
    }

    void stop(@Observes ShutdownEvent event) {
        for (NetServer server : servers) {
            server.close();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    private void listen(int port, boolean implicitTls) {
        if (port == 0) {
            return;
        }
        // STARTTLS needs the key on a non-TLS server too: upgradeToSsl uses the server's options
        NetServerOptions options = org.mailkeep.tls.TlsProfile.apply(new NetServerOptions().setHost(config.bind()).setPort(port).setSsl(implicitTls)
                .setKeyCertOptions(certificates.keyCertOptions()).setIdleTimeout(31).setIdleTimeoutUnit(TimeUnit.MINUTES)
                .setTcpNoDelay(true));
        NetServer server = vertx.createNetServer(options);
        server.connectHandler(socket -> accept(socket, implicitTls));
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            servers.add(server);
            LOG.infof("IMAP listening on %s:%d (%s)", config.bind(), port, implicitTls ? "implicit TLS" : "STARTTLS");
        } catch (Exception e) {
            failure = "cannot listen on port " + port + ": " + e.getMessage();
            LOG.error("IMAP " + failure);
        }
    }

    private void reloadCertificate() {
        for (NetServer server : servers) {
            server.updateSSLOptions(org.mailkeep.tls.TlsProfile.sslOptions(certificates.keyCertOptions()))
                    .onFailure(e -> LOG.warn("IMAP: cannot reload the certificate: " + e.getMessage()));
        }
    }

    private void accept(NetSocket socket, boolean implicitTls) {
        String ip = socket.remoteAddress().hostAddress();
        String network = org.mailkeep.net.Cidr.literal(ip).map(a -> org.mailkeep.net.Cidr.client(a).toString()).orElse(ip); // IPv6 counted by /64
        AtomicInteger fromIp = perIp.computeIfAbsent(network, k -> new AtomicInteger());
        if (connections.incrementAndGet() > imapConfig.maxConnections() || fromIp.incrementAndGet() > imapConfig.maxConnectionsPerIp()) {
            socket.write("* BYE [UNAVAILABLE] too many connections\r\n").onComplete(v -> socket.close());
            release(network, fromIp);
            return;
        }
        ImapMetrics.session(implicitTls);
        Connection connection = new Connection(socket, ip, new SerialExecutor(workers), vertx.getOrCreateContext());
        ImapSession session = new ImapSession(services, connection, implicitTls);
        connection.session = session;
        connection.executor.execute(session::start);
        socket.handler(buffer -> connection.received(buffer));
        socket.exceptionHandler(e -> LOG.debugf("IMAP connection from %s: %s", ip, e.getMessage()));
        socket.closeHandler(v -> {
            connection.gone();
            release(network, fromIp);
        });
    }

    int openConnections() {
        return connections.get();
    }

    private void release(String ip, AtomicInteger fromIp) {
        connections.decrementAndGet();
        if (fromIp.decrementAndGet() <= 0) {
            perIp.remove(ip, fromIp);
        }
    }

    /** One client connection: the session's transport, with backpressure both ways. */
    private final class Connection implements ImapSession.Transport {
        final NetSocket socket;
        final String ip;
        final SerialExecutor executor;
        /** The connection's event-loop context: pausing and resuming the socket happen only there. */
        final io.vertx.core.Context context;
        ImapSession session;
        final AtomicLong queued = new AtomicLong();
        boolean paused; // touched only on the event loop
        volatile boolean closed;

        Connection(NetSocket socket, String ip, SerialExecutor executor, io.vertx.core.Context context) {
            this.socket = socket;
            this.ip = ip;
            this.executor = executor;
            this.context = context;
        }

        void received(Buffer buffer) {
            byte[] bytes = buffer.getBytes();
            if (queued.addAndGet(bytes.length) > INPUT_HIGH_WATER && !paused) {
                paused = true;
                socket.pause();
            }
            executor.execute(() -> {
                if (!closed) {
                    session.received(bytes);
                }
                if (queued.addAndGet(-bytes.length) < INPUT_HIGH_WATER / 2) {
                    context.runOnContext(v -> resumeIfDrained());
                }
            });
        }

        /** On the event loop (like the pause), so a pause and a resume can never cross. */
        private void resumeIfDrained() {
            if (paused && queued.get() < INPUT_HIGH_WATER / 2) {
                paused = false;
                socket.resume();
            }
        }

        void gone() {
            closed = true;
            executor.execute(session::closed);
        }

        @Override
        public void write(byte[] bytes) {
            if (!closed) {
                socket.write(Buffer.buffer(bytes));
            }
        }

        @Override
        public boolean congested() {
            return socket.writeQueueFull();
        }

        /** On the event loop, like the drain it waits for; a client that reads nothing for WRITE_WAIT_SECONDS is closed. */
        @Override
        public void whenDrained(Runnable task) {
            context.runOnContext(v -> {
                if (closed) {
                    return;
                }
                if (!socket.writeQueueFull()) {
                    executor.execute(task);
                    return;
                }
                long timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(WRITE_WAIT_SECONDS), id -> {
                    LOG.debugf("IMAP client %s read nothing for %d s: closed", ip, WRITE_WAIT_SECONDS);
                    close();
                });
                socket.drainHandler(drained -> {
                    socket.drainHandler(null);
                    vertx.cancelTimer(timer);
                    executor.execute(task);
                });
            });
        }

        @Override
        public void startTls(byte[] response, Runnable done) {
            context.runOnContext(v -> {
                socket.write(Buffer.buffer(response));
                socket.upgradeToSsl(result -> {
                    if (result.succeeded()) {
                        executor.execute(done);
                    } else {
                        LOG.debugf("IMAP STARTTLS from %s failed: %s", ip, result.cause().getMessage());
                        socket.close();
                    }
                });
            });
        }

        @Override
        public void close() {
            closed = true;
            socket.close();
        }

        @Override
        public String remoteIp() {
            return ip;
        }

        @Override
        public void submit(long delayMillis, Runnable task) {
            if (delayMillis <= 0) {
                executor.execute(task);
            } else {
                vertx.setTimer(delayMillis, id -> executor.execute(task));
            }
        }
    }

    /** Runs a session's tasks one after another on the shared pool. */
    static final class SerialExecutor implements Executor {
        private final Executor pool;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean running;

        SerialExecutor(Executor pool) {
            this.pool = pool;
        }

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
            if (!running) {
                running = true;
                pool.execute(this::drain);
            }
        }

        private void drain() {
            while (true) {
                Runnable task;
                synchronized (this) {
                    task = tasks.poll();
                    if (task == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("IMAP session task failed", e);
                }
            }
        }
    }

    // ---- Feature and HealthCheck ----

    @Override
    public String name() {
        return "imap";
    }

    @Override
    public List<Port> ports() {
        return List.of(new Port("imap", config.imap().port(), "tcp"), new Port("imaps", config.imaps().port(), "tcp"));
    }

    @Override
    public Result check() {
        if (failure != null) {
            return Result.fault("imap", failure);
        }
        return Result.ok("imap", connections.get() + " IMAP connections");
    }
}
