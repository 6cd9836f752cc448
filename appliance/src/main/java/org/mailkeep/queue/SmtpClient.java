package org.mailkeep.queue;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A blocking SMTP client on a plain socket, one per delivery attempt, run on a queue worker thread.
 * <p>Why no library: delivery needs per-recipient replies (to bounce, retry or fall back recipient by
 * recipient), the remote's exact text and enhanced codes, control over STARTTLS verification per route
 * (opportunistic RFC 7435, MTA-STS RFC 8461, a relay's required PKIX check) and RFC 5321 §4.5.3.2 timeouts
 * per command. Jakarta Mail and the Vert.x mail client hide or flatten those (they report one exception
 * per message), and pulling in a whole mail API to use only its socket code would be more code to trust,
 * not less. The protocol part is small: replies, EHLO keywords, STARTTLS, AUTH, and dot-stuffed DATA.
 */
final class SmtpClient implements Closeable {

    /**
     * Per-command reply timeouts, RFC 5321 §4.5.3.2 (defaults: its minimums; {@code mailkeep.outbound.*-timeout}).
     * EHLO, STARTTLS, AUTH have no timeout of their own in RFC 5321; they get the MAIL timeout, as in Postfix.
     */
    record Timeouts(Duration greeting, Duration mail, Duration rcpt, Duration dataInit, Duration dataBlock, Duration dataEnd) {
        static Timeouts of(OutboundConfig config) {
            return new Timeouts(config.greetingTimeout(), config.mailTimeout(), config.rcptTimeout(), config.dataInitTimeout(),
                    config.dataBlockTimeout(), config.dataEndTimeout());
        }
    }

    private static final int MAX_REPLY_LINES = 100;
    private static final int MAX_LINE = 4096;

    private Socket socket;
    /** The TCP connection under any TLS layer: what the send watchdog closes (closing an SSLSocket would try to write). */
    private final Socket tcp;
    private InputStream in;
    private OutputStream out;
    private final String remote;
    private final Timeouts timeouts;
    private Map<String, String> extensions = Map.of();

    private SmtpClient(Socket socket, Socket tcp, String remote, Timeouts timeouts) throws IOException {
        this.remote = remote;
        this.timeouts = timeouts;
        this.tcp = tcp;
        attach(socket);
    }

    /** Connects, optionally wrapping in TLS at once (implicit TLS, RFC 8314), and returns before the greeting is read. */
    static SmtpClient connect(InetSocketAddress address, String hostName, Duration connectTimeout, Timeouts timeouts,
                              SSLSocketFactory implicitTls, boolean verifyHost) throws IOException {
        Socket tcp = new Socket();
        Socket socket = tcp;
        try {
            tcp.connect(address, (int) connectTimeout.toMillis());
            if (implicitTls != null) {
                socket = handshake(implicitTls, tcp, hostName, address.getPort(), verifyHost, connectTimeout);
            }
        } catch (IOException e) {
            tcp.close();
            throw e;
        }
        return new SmtpClient(socket, tcp, hostName + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort(), timeouts);
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(new WatchedOutput(socket.getOutputStream()), 16384);
    }

    /** Closes sockets whose send has blocked too long; one daemon thread for all clients. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "smtp-send-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * RFC 5321 §4.5.3.2.5: each TCP send of the data may block at most the data block timeout (3 minutes). A Java
     * socket write has no timeout of its own (SO_TIMEOUT covers reads only), so a watchdog closes the socket
     * when a write takes longer, and the write fails with a clear error. Commands are sent through it too.
     */
    private final class WatchedOutput extends FilterOutputStream {
        private volatile boolean expired;

        WatchedOutput(OutputStream target) {
            super(target);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> {
                expired = true;
                try {
                    tcp.close();
                } catch (IOException ignored) {
                    // closing is all that can be done; the blocked write fails either way
                }
            }, timeouts.dataBlock().toMillis(), TimeUnit.MILLISECONDS);
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw expired ? new SocketTimeoutException("sending to " + remote + " blocked for more than " + timeouts.dataBlock().toSeconds()
                        + "s (data block timeout)") : e;
            } finally {
                alarm.cancel(false);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    /** "mx.example.net[192.0.2.1]:25", for logs, DSNs (Remote-MTA) and the queue API. */
    String remote() {
        return remote;
    }

    Map<String, String> extensions() {
        return extensions;
    }

    boolean supports(String keyword) {
        return extensions.containsKey(keyword.toUpperCase(Locale.ROOT));
    }

    SmtpReply greeting() throws IOException {
        return read(timeouts.greeting());
    }

    /** EHLO, falling back to HELO when the server does not know EHLO (RFC 5321 §3.2). Records the extensions. */
    SmtpReply ehlo(String hostname) throws IOException {
        SmtpReply reply = command("EHLO " + hostname, timeouts.mail());
        if (reply.code() >= 500 && reply.code() <= 504) {
            extensions = Map.of();
            return command("HELO " + hostname, timeouts.mail());
        }
        Map<String, String> ext = new TreeMap<>();
        for (int i = 1; i < reply.lines().size(); i++) {
            String line = reply.lines().get(i).trim();
            int space = line.indexOf(' ');
            ext.put((space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT), space < 0 ? "" : line.substring(space + 1));
        }
        extensions = ext;
        return reply;
    }

    /** STARTTLS (RFC 3207); on 220 the socket is upgraded and the caller must send EHLO again. */
    SmtpReply startTls(SSLSocketFactory factory, String hostName, boolean verifyHost) throws IOException {
        SmtpReply reply = command("STARTTLS", timeouts.mail());
        if (reply.code() == 220) {
            attach(handshake(factory, socket, hostName, socket.getPort(), verifyHost, timeouts.mail()));
            extensions = Map.of();
        }
        return reply;
    }

    private static SSLSocket handshake(SSLSocketFactory factory, Socket plain, String hostName, int port, boolean verifyHost,
                                       Duration timeout) throws IOException {
        SSLSocket ssl = (SSLSocket) factory.createSocket(plain, hostName, port, true);
        SSLParameters params = ssl.getSSLParameters();
        if (!hostName.matches("[0-9.]+|.*:.*")) {
            params.setServerNames(List.of(new SNIHostName(hostName)));
        }
        if (verifyHost) {
            params.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 6125 name check (RFC 8461 §4.2, RFC 8314 §4.1)
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout((int) timeout.toMillis());
        ssl.startHandshake();
        return ssl;
    }

    /** AUTH PLAIN (RFC 4616) when offered, else LOGIN. The password never reaches a log: only the reply is returned. */
    SmtpReply authenticate(String user, String password) throws IOException {
        String mechanisms = extensions.getOrDefault("AUTH", "").toUpperCase(Locale.ROOT);
        if (mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN")) {
            String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            return command("AUTH PLAIN " + token, timeouts.mail());
        }
        SmtpReply reply = command("AUTH LOGIN", timeouts.mail());
        if (reply.code() != 334) {
            return reply;
        }
        reply = command(Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)), timeouts.mail());
        if (reply.code() != 334) {
            return reply;
        }
        return command(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)), timeouts.mail());
    }

    Timeouts timeouts() {
        return timeouts;
    }

    SmtpReply command(String line, Duration timeout) throws IOException {
        send(line);
        flush();
        return read(timeout);
    }

    /** Writes a command line without flushing (PIPELINING, RFC 2920: a group is flushed at once). */
    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    void flush() throws IOException {
        out.flush();
    }

    /**
     * Sends the message content for DATA: {@code prefix} (our added header fields) then the stored file,
     * bare LF line ends made CRLF and leading dots doubled (RFC 5321 §4.5.2), then the final dot; returns
     * the final reply. The file is streamed; nothing is held in memory beyond one buffer.
     */
    SmtpReply data(byte[] prefix, InputStream message) throws IOException {
        out.write(prefix);
        int previous = '\n';
        int b;
        InputStream content = message instanceof BufferedInputStream ? message : new BufferedInputStream(message);
        while ((b = content.read()) != -1) {
            if (b == '\n' && previous != '\r') {
                out.write('\r');
            } else if (b == '.' && previous == '\n') {
                out.write('.');
            }
            out.write(b);
            previous = b;
        }
        if (previous == '\r') {
            out.write('\n');
        } else if (previous != '\n') {
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(timeouts.dataEnd());
    }

    /**
     * Reads one reply, waiting at most {@code timeout} for all of it (RFC 5321 §4.5.3.2 bounds the wait for the reply,
     * not for each octet: a server that sends one octet now and then must not hold a queue worker for ever).
     */
    SmtpReply read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        while (true) {
            String line;
            try {
                line = readLine(deadline);
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no reply from " + remote + " within " + timeout.toSeconds() + "s (RFC 5321 §4.5.3.2 timeout)");
            }
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IOException("malformed SMTP reply from " + remote + ": " + line);
            }
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new SmtpReply(Integer.parseInt(line.substring(0, 3)), lines);
            }
            if (lines.size() > MAX_REPLY_LINES) {
                throw new IOException("reply of more than " + MAX_REPLY_LINES + " lines from " + remote);
            }
        }
    }

    private String readLine(long deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = readBefore(deadline)) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            if (line.size() < MAX_LINE) {
                line.write(b);
            }
        }
        throw new IOException("connection closed by " + remote);
    }

    /** The next octet, waiting no later than {@code deadline} (System.nanoTime). */
    private int readBefore(long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("reply deadline passed");
        }
        if (in.available() == 0) {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }
        return in.read();
    }

    /** QUIT and close; errors on the way out do not matter any more (the transaction is decided). */
    void quit() {
        try {
            command("QUIT", Duration.ofSeconds(10));
        } catch (IOException ignored) {
            // the remote may close first; RFC 5321 §4.1.1.10 lets either side close after QUIT
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do with a socket that cannot close
        }
    }
}
