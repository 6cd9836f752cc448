package org.mailkeep.imap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** A minimal IMAP client for protocol tests: sends raw lines, reads responses (literals included) up to the tagged one. */
final class ImapTestClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int counter;
    final String greeting;

    private ImapTestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.greeting = readLine();
    }

    static ImapTestClient tls(int port) throws Exception {
        return tls(port, "127.0.0.1");
    }

    /** Over TLS from the loopback address {@code localIp} (127.0.0.0/8 is all loopback): a client of its own IP. */
    static ImapTestClient tls(int port, String localIp) throws Exception {
        Socket raw = new Socket();
        raw.bind(new InetSocketAddress(localIp, 0));
        raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        SSLSocket ssl = (SSLSocket) trustAll().getSocketFactory().createSocket(raw, "localhost", port, true);
        ssl.startHandshake();
        return new ImapTestClient(ssl);
    }

    static ImapTestClient plain(int port) throws Exception {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return new ImapTestClient(raw);
    }

    /**
     * STARTTLS with cleartext injected behind it, once in the command's own segment and once in the next: the answers
     * before the handshake, then the connection is under TLS.
     */
    List<String> startTlsWithInjection(String sameSegment, String nextSegment) throws Exception {
        String tag = nextTag();
        sendRaw((tag + " STARTTLS\r\n" + sameSegment).getBytes(StandardCharsets.US_ASCII));
        sendRaw(nextSegment.getBytes(StandardCharsets.US_ASCII));
        List<String> lines = readUntil(tag);
        handshake();
        return lines;
    }

    private void handshake() throws Exception {
        SSLSocket ssl = (SSLSocket) trustAll().getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        ssl.startHandshake();
        socket = ssl;
        socket.setSoTimeout(20_000);
        in = ssl.getInputStream();
        out = ssl.getOutputStream();
    }

    /** STARTTLS on a plain connection. */
    List<String> startTls() throws Exception {
        List<String> lines = command("STARTTLS");
        handshake();
        return lines;
    }

    static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    String nextTag() {
        return "t" + (++counter);
    }

    /** Sends "tag command" and returns every response line up to and including the tagged one. */
    List<String> command(String command) throws IOException {
        String tag = nextTag();
        send(tag + " " + command);
        return readUntil(tag);
    }

    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    List<String> readUntil(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("connection closed; got " + lines);
            }
            lines.add(line);
            if (line.startsWith(tag + " ")) {
                return lines;
            }
        }
    }

    /** One response line; a literal announced at its end is read and appended (after the CRLF). */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("~?\\{(\\d+)}$").matcher(text);
        if (m.find()) {
            byte[] literal = in.readNBytes(Integer.parseInt(m.group(1)));
            String rest = readLine();
            return text + "\r\n" + new String(literal, StandardCharsets.UTF_8) + rest;
        }
        return text;
    }

    boolean isClosed() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
