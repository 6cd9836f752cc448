package org.mailkeep.testsupport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Floods the packaged appliance (a separate JVM with the SD-card image's JVM options) on loopback and checks that it
 * keeps serving: many held SMTP and IMAP connections, on every listener clients that pipeline and never read their
 * replies and slowloris clients that send a byte now and then, while a normal client delivers a message through the MX
 * and reads it back over IMAPS. Watches the appliance's resident memory and its log for OutOfMemoryError.
 * <p>
 * Short in the test suite ({@code ApplianceFloodIT}); long with {@code ./mailkeep soak} (README). JDK classes only, so
 * the soak runs it from the compiled test classes. Every loop is bounded in count and time; only 127.0.0.1 is used.
 */
public final class Soak {

    /** The image's JVM options (image-build/configure.sh): what the Pi runs with. */
    public static final List<String> IMAGE_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-XX:MaxMetaspaceSize=128m",
            "-XX:ReservedCodeCacheSize=64m", "-Xss512k", "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError");
    public static final String[] LISTENERS = {"smtp", "submission", "submissions", "imap", "imaps", "http", "https"};
    private static final String USER = "soak@soak.test";
    private static final String PASSWORD = "soak-user-password-1";

    /** What to run: counts of each kind of client, how long to hold them, and the listeners the slow clients attack. */
    public record Load(int smtpConnections, int imapConnections, int slowReadersPerPort, int slowlorisPerPort, Duration hold, List<String> attacked) {
        public Load(int smtpConnections, int imapConnections, int slowReadersPerPort, int slowlorisPerPort, Duration hold) {
            this(smtpConnections, imapConnections, slowReadersPerPort, slowlorisPerPort, hold, List.of(LISTENERS));
        }
    }

    /** What was seen. */
    public record Result(int smtpHeld, int imapHeld, long peakRssKb, boolean alive, boolean outOfMemory, boolean delivered, boolean readBack,
                         Duration deliverTime, Duration readTime, Map<String, Integer> slowReadersCutOff, int slowReadersPerPort) {
        public String summary() {
            return String.format("SMTP connections held: %d; IMAP connections held: %d; non-readers cut off per listener (of %d): %s; "
                            + "normal client delivered through the MX: %s (%d ms), read back over IMAPS: %s (%d ms); appliance alive: %s; "
                            + "OutOfMemoryError: %s; peak RSS: %d MiB", smtpHeld, imapHeld, slowReadersPerPort, slowReadersCutOff, delivered,
                    deliverTime.toMillis(), readBack, readTime.toMillis(), alive, outOfMemory, peakRssKb / 1024);
        }
    }

    private final Path jar;
    private final Path work;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final List<AutoCloseable> open = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private Process appliance;
    private long peakRssKb;

    public Soak(Path jar, Path work) {
        this.jar = jar;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("smtp", "1000", "imap", "500", "slow", "4", "slowloris", "4", "seconds", "120",
                "attack", String.join(",", LISTENERS)));
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Load load = new Load(Integer.parseInt(options.get("smtp")), Integer.parseInt(options.get("imap")), Integer.parseInt(options.get("slow")),
                Integer.parseInt(options.get("slowloris")), Duration.ofSeconds(Long.parseLong(options.get("seconds"))),
                List.of(options.get("attack").split(",")));
        Path work = Files.createTempDirectory("mailkeep-soak-");
        Result result = new Soak(Path.of(options.getOrDefault("jar", "appliance/target/quarkus-app/quarkus-run.jar")), work).run(load);
        System.out.println(result.summary());
        System.out.println("appliance log: " + work.resolve("appliance.log"));
        boolean ok = result.alive() && !result.outOfMemory() && result.delivered() && result.readBack()
                && result.smtpHeld() >= load.smtpConnections() && result.imapHeld() >= load.imapConnections();
        System.out.println(ok ? "soak: PASSED" : "soak: FAILED");
        System.exit(ok ? 0 : 1);
    }

    /** Starts the appliance, runs {@code load} against it, stops it. */
    public Result run(Load load) throws Exception {
        try {
            start(load);
            int smtpHeld = hold("smtp", load.smtpConnections(), "220");
            int imapHeld = hold("imap", load.imapConnections(), "* OK");
            Map<String, Integer> cutOff = new java.util.concurrent.ConcurrentSkipListMap<>();
            List<Thread> attackers = new ArrayList<>();
            for (String listener : load.attacked()) {
                cutOff.put(listener, 0);
                for (int i = 0; i < load.slowReadersPerPort(); i++) {
                    attackers.add(thread(() -> slowReader(listener, cutOff)));
                }
                for (int i = 0; i < load.slowlorisPerPort(); i++) {
                    attackers.add(thread(() -> slowloris(listener)));
                }
            }
            Instant end = Instant.now().plus(load.hold());
            Thread.sleep(Math.min(5_000, load.hold().toMillis() / 2)); // the attack is under way
            Instant started = Instant.now();
            boolean delivered = deliver();
            Duration deliverTime = Duration.between(started, Instant.now());
            started = Instant.now();
            boolean readBack = delivered && readBack();
            Duration readTime = Duration.between(started, Instant.now());
            while (Instant.now().isBefore(end) && appliance.isAlive()) {
                sampleRss();
                Thread.sleep(1000);
            }
            sampleRss();
            boolean alive = appliance.isAlive();
            stop.set(true);
            for (Thread attacker : attackers) {
                attacker.join(10_000);
            }
            boolean oom = Files.readString(work.resolve("appliance.log")).contains("OutOfMemoryError");
            return new Result(smtpHeld, imapHeld, peakRssKb, alive, oom, delivered, readBack, deliverTime, readTime, cutOff,
                    load.slowReadersPerPort());
        } finally {
            stop.set(true);
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing our own client sockets at the end
                }
            }
            if (appliance != null) {
                appliance.destroy();
                if (!appliance.waitFor(30, TimeUnit.SECONDS)) {
                    appliance.destroyForcibly();
                }
            }
        }
    }

    private void start(Load load) throws Exception {
        int[] free = FreePorts.distinct(LISTENERS.length);
        for (int i = 0; i < LISTENERS.length; i++) {
            ports.put(LISTENERS[i], free[i]);
        }
        Path data = work.resolve("data");
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(IMAGE_JVM_OPTIONS);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("appliance.log").toFile()));
        Map<String, String> env = builder.environment();
        env.put("MAILKEEP_DATA_DIR", data.toString());
        env.put("MAILKEEP_BIND", "127.0.0.1");
        env.put("MAILKEEP_SMTP_PORT", port("smtp"));
        env.put("MAILKEEP_SUBMISSION_PORT", port("submission"));
        env.put("MAILKEEP_SUBMISSIONS_PORT", port("submissions"));
        env.put("MAILKEEP_IMAP_PORT", port("imap"));
        env.put("MAILKEEP_IMAPS_PORT", port("imaps"));
        env.put("QUARKUS_HTTP_PORT", port("http"));
        env.put("QUARKUS_HTTP_SSL_PORT", port("https"));
        env.put("MAILKEEP_HARDWARE", "none");
        // the local profile: nothing leaves the machine (no clamd, blocklists, greylisting, ACME); DNS from the test BIND
        env.put("QUARKUS_PROFILE", "local");
        env.put("MAILKEEP_DNS_SERVERS", "127.0.0.1:5353");
        // all clients come from 127.0.0.1: the per-client limits would refuse all but a few, the totals are what is tested
        int attackers = load.attacked().size() * (load.slowReadersPerPort() + load.slowlorisPerPort());
        env.put("MAILKEEP_SMTP_LIMITS_MAX_CONNECTIONS", Integer.toString(load.smtpConnections() + attackers + 20));
        env.put("MAILKEEP_SMTP_LIMITS_MAX_CONNECTIONS_PER_IP", Integer.toString(load.smtpConnections() + attackers + 20));
        env.put("MAILKEEP_IMAP_SERVER_MAX_CONNECTIONS", Integer.toString(load.imapConnections() + attackers + 20));
        env.put("MAILKEEP_IMAP_SERVER_MAX_CONNECTIONS_PER_IP", Integer.toString(load.imapConnections() + attackers + 20));
        env.put("MAILKEEP_SMTP_LIMITS_COMMAND_TIMEOUT", "60s"); // a non-reader is cut off within a short soak
        appliance = builder.start();
        for (String listener : LISTENERS) {
            waitForPort(ports.get(listener));
        }
        setUp(data);
    }

    private String port(String listener) {
        return Integer.toString(ports.get(listener));
    }

    private void waitForPort(int port) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(300)); // a loaded 2-core machine took 148 s to start it
        while (Instant.now().isBefore(deadline)) {
            if (!appliance.isAlive()) {
                throw new IllegalStateException("the appliance exited: see " + work.resolve("appliance.log"));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("port " + port + " does not answer");
    }

    /** The wizard's setup through the API, and one mailbox for the normal client. */
    private void setUp(Path data) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + ports.get("http");
        String token = Files.readString(data.resolve("setup-token")).trim();
        String setup = "{\"token\":\"" + token + "\",\"domain\":\"soak.test\",\"hostname\":\"mail.soak.test\",\"adminPassword\":\"soak-admin-password\"}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/setup")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(setup)).build(), HttpResponse.BodyHandlers.ofString());
        check(response, 200);
        response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/mailboxes")).header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:soak-admin-password".getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        check(response, 201);
    }

    private static void check(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.uri() + ": " + response.statusCode() + " " + response.body());
        }
    }

    /** Opens {@code count} plain connections to {@code listener} and keeps them; counts those greeted with {@code greeting}. */
    private int hold(String listener, int count, String greeting) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", ports.get(listener)), 30_000);
            sockets.add(socket);
            open.add(socket);
            if (i % 50 == 49) {
                Thread.sleep(50); // the listener's accept backlog is not what is tested
            }
        }
        int held = 0;
        byte[] buffer = new byte[512];
        for (Socket socket : sockets) {
            socket.setSoTimeout(30_000);
            int n = socket.getInputStream().read(buffer);
            if (n > 0 && new String(buffer, 0, n, StandardCharsets.US_ASCII).startsWith(greeting)) {
                held++;
            }
        }
        return held;
    }

    private Thread thread(Runnable body) {
        Thread thread = new Thread(body);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private Socket connect(String listener) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", ports.get(listener)), 10_000);
        open.add(socket);
        return listener.equals("submissions") || listener.equals("imaps") || listener.equals("https") ? tls(socket, ports.get(listener)) : socket;
    }

    /** A pipeline of requests each listener answers, sent without ever reading a reply, for as long as the server takes them. */
    private void slowReader(String listener, Map<String, Integer> cutOff) {
        byte[] request = (listener.startsWith("imap") ? "a NOOP\r\n".repeat(1000)
                : listener.startsWith("http") ? "GET /q/health HTTP/1.1\r\nHost: x\r\n\r\n".repeat(200) : "HELP\r\n".repeat(1000))
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = connect(listener)) {
            Thread.sleep(1500); // after the MX's greeting delay: not an early talker
            OutputStream out = socket.getOutputStream();
            long sent = 0;
            while (!stop.get() && sent < 512L << 20) {
                out.write(request);
                sent += request.length;
            }
        } catch (IOException cut) {
            cutOff.merge(listener, 1, Integer::sum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One octet every two seconds, never a whole command. */
    private void slowloris(String listener) {
        try (Socket socket = connect(listener)) {
            OutputStream out = socket.getOutputStream();
            for (int i = 0; !stop.get() && i < 100_000; i++) {
                Thread.sleep(2000);
                out.write('X');
                out.flush();
            }
        } catch (IOException | InterruptedException cutOffOrStopped) {
            // the server may close a slow client: that is allowed
        }
    }

    /** One message through the MX, as another mail server would send it. */
    private boolean deliver() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", ports.get("smtp")), 10_000);
            socket.setSoTimeout(60_000);
            Lines c = new Lines(socket);
            return c.read().startsWith("220") && c.command("EHLO normal.example.net").startsWith("250")
                    && c.command("MAIL FROM:<normal@example.net>").startsWith("250") && c.command("RCPT TO:<" + USER + ">").startsWith("250")
                    && c.command("DATA").startsWith("354") && c.command("From: <normal@example.net>\r\nTo: <" + USER + ">\r\nDate: "
                    + java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now()) + "\r\nMessage-ID: <soak-"
                    + System.nanoTime() + "@example.net>\r\nSubject: soak-normal\r\n\r\nstill served\r\n.").startsWith("250");
        } catch (IOException e) {
            return false;
        }
    }

    /** The message back over IMAPS, as a mail program reads it. */
    private boolean readBack() {
        try (Socket socket = tls(new Socket("127.0.0.1", ports.get("imaps")), ports.get("imaps"))) {
            socket.setSoTimeout(60_000);
            Lines c = new Lines(socket);
            c.read();
            c.send("a LOGIN " + USER + " " + PASSWORD);
            if (!c.untilTagged("a").startsWith("a OK")) {
                return false;
            }
            c.send("b SELECT INBOX");
            c.untilTagged("b");
            c.send("c FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            boolean found = false;
            for (String line = c.read(); line != null && !line.startsWith("c "); line = c.read()) {
                found |= line.contains("soak-normal");
            }
            return found;
        } catch (IOException e) {
            return false;
        }
    }

    private void sampleRss() throws IOException {
        Path status = Path.of("/proc/" + appliance.pid() + "/status");
        if (!Files.exists(status)) {
            return;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("[^0-9]", "")));
            }
        }
    }

    private static SSLSocket tls(Socket plain, int port) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // the appliance's self-signed certificate: this client tests load, not trust
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            ssl.startHandshake();
            return ssl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** Line-level client of the normal user. */
    private static final class Lines {
        final BufferedReader in;
        final OutputStream out;

        Lines(Socket socket) throws IOException {
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        String read() throws IOException {
            String line = in.readLine();
            return line == null ? "" : line;
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Sends an SMTP command and returns the last line of its reply. */
        String command(String line) throws IOException {
            send(line);
            String reply = read();
            while (reply.length() > 3 && reply.charAt(3) == '-') {
                reply = read();
            }
            return reply;
        }

        String untilTagged(String tag) throws IOException {
            String line = read();
            while (!line.isEmpty() && !line.startsWith(tag + " ")) {
                line = read();
            }
            return line;
        }
    }
}
