package org.mailkeep.antivirus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A clamd client (clamd(8), "INSTREAM" and "PING" commands) over TCP or a unix socket. The file is streamed in 64 KiB
 * chunks, never held in memory. Hand-written: the protocol is a handful of lines and the Java clamd clients on Maven
 * Central are unmaintained and TCP-only.
 */
public final class ClamdClient {

    public enum Status { CLEAN, INFECTED, ERROR }

    /** A scan result; {@code signature} is set when infected, {@code message} holds clamd's reply or the error. */
    public record Result(Status status, String signature, String message) {
    }

    private static final int CHUNK = 64 * 1024;

    private final String address;
    private final Duration timeout;

    /** @param address {@code host:port} or {@code unix:/path} */
    public ClamdClient(String address, Duration timeout) {
        this.address = address;
        this.timeout = timeout;
    }

    public String address() {
        return address;
    }

    /** Scans a file with INSTREAM. Connection problems come back as {@link Status#ERROR}, never as exceptions. */
    public Result scan(Path file) {
        try (Connection connection = connect(); InputStream in = Files.newInputStream(file)) {
            OutputStream out = connection.out;
            out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
            byte[] buffer = new byte[CHUNK];
            byte[] length = new byte[4];
            int n;
            try {
                while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
                    length[0] = (byte) (n >>> 24);
                    length[1] = (byte) (n >>> 16);
                    length[2] = (byte) (n >>> 8);
                    length[3] = (byte) n;
                    out.write(length);
                    out.write(buffer, 0, n);
                }
                out.write(new byte[4]); // a zero-length chunk ends the stream
                out.flush();
            } catch (IOException e) {
                // clamd closes the connection when StreamMaxLength is exceeded; its reply says so
                String reply = reply(connection.in);
                return new Result(Status.ERROR, null, reply.isEmpty() ? "clamd closed the connection: " + e.getMessage() : reply);
            }
            return parse(reply(connection.in));
        } catch (IOException e) {
            return new Result(Status.ERROR, null, "clamd at " + address + " unreachable: " + e.getMessage());
        }
    }

    /** PING → PONG: whether clamd answers. */
    public boolean ping() {
        try (Connection connection = connect()) {
            connection.out.write("zPING\0".getBytes(StandardCharsets.US_ASCII));
            connection.out.flush();
            return reply(connection.in).equals("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** Parses "stream: OK", "stream: NAME FOUND" or "... ERROR". */
    static Result parse(String reply) {
        String r = reply.startsWith("stream: ") ? reply.substring(8) : reply;
        if (r.equals("OK")) {
            return new Result(Status.CLEAN, null, reply);
        }
        if (r.endsWith(" FOUND")) {
            return new Result(Status.INFECTED, r.substring(0, r.length() - 6).trim(), reply);
        }
        return new Result(Status.ERROR, null, reply.isEmpty() ? "clamd gave no answer" : "clamd: " + reply);
    }

    private static String reply(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(4096);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int nul = text.indexOf('\0');
        return (nul >= 0 ? text.substring(0, nul) : text).trim();
    }

    private record Connection(AutoCloseable resource, InputStream in, OutputStream out) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                resource.close();
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    private Connection connect() throws IOException {
        if (address.startsWith("unix:")) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(address.substring(5)));
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            return new Connection(channel, Channels.newInputStream(channel), Channels.newOutputStream(channel));
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IOException("invalid clamd address '" + address + "': expected host:port or unix:/path");
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                    (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
        } catch (IOException | NumberFormatException e) {
            socket.close();
            throw e instanceof IOException io ? io : new IOException("invalid clamd port in '" + address + "'");
        }
        return new Connection(socket, socket.getInputStream(), new java.io.BufferedOutputStream(socket.getOutputStream(), CHUNK + 4));
    }
}
