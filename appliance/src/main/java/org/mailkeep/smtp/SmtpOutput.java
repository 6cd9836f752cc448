package org.mailkeep.smtp;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A session's replies on their way to the client, and the backpressure that keeps a client that does not read
 * them from growing the server's memory (issue 15: eight pipelining clients that never read grew the appliance to
 * 6 GB). Replies are collected and written once per batch of input; while the socket's write queue is full,
 * reading is paused and the session handles no further input until the queue drains. A client that takes none of
 * its replies for {@code stallTimeout}, or none after the session closed it, is cut off without waiting to flush.
 * <p>
 * Reply text is ASCII (RFC 5321 §4.2; only SMTPUTF8 addresses may be UTF-8, RFC 6531 §3.7.4.2, and no reply
 * here carries one): anything else a reply would echo is replaced by '?'.
 */
final class SmtpOutput {

    /** A closed session whose client does not read its last replies is cut off after this long. */
    private static final long CLOSE_GRACE_MILLIS = 5_000;

    private final NetSocket socket;
    private final Vertx vertx;
    private final Duration stallTimeout;
    private final StringBuilder out = new StringBuilder();
    private Runnable drained = () -> { };
    private boolean writeBlocked;
    private boolean readingWanted = true;
    private boolean closed;
    private long stallTimer = -1;

    SmtpOutput(NetSocket socket, Vertx vertx, Duration stallTimeout) {
        this.socket = socket;
        this.vertx = vertx;
        this.stallTimeout = stallTimeout;
    }

    /** Runs on the event loop once a full write queue has drained (the session goes on with its buffered input). */
    void onDrained(Runnable drained) {
        this.drained = drained;
    }

    /** Queues one reply line (CRLF added), its text made ASCII. */
    void reply(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        out.append("\r\n");
    }

    /** Writes what was queued; pauses reading when the client does not keep up. */
    void flush() {
        if (!out.isEmpty() && !closed) {
            socket.write(Buffer.buffer(out.toString().getBytes(StandardCharsets.US_ASCII)));
            if (!writeBlocked && socket.writeQueueFull()) {
                writeBlocked = true;
                socket.pause();
                socket.drainHandler(v -> drain());
                stallTimer = vertx.setTimer(stallTimeout.toMillis(), t -> {
                    stallTimer = -1;
                    abort();
                });
            }
        }
        out.setLength(0);
    }

    private void drain() {
        writeBlocked = false;
        socket.drainHandler(null);
        cancelStallTimer();
        if (!closed) {
            reading(readingWanted);
            drained.run();
        }
    }

    /** True while the client has not taken enough of its replies: the session must not handle more input. */
    boolean blocked() {
        return writeBlocked;
    }

    /** Whether the session wants input now; reading stays paused while the write queue is full either way. */
    void reading(boolean wanted) {
        readingWanted = wanted;
        if (wanted && !writeBlocked) {
            socket.resume();
        } else {
            socket.pause();
        }
    }

    /** Flushes and closes; a client that does not take those last replies is cut off after a short grace. */
    void close() {
        flush();
        if (!closed) {
            closed = true;
            socket.close();
            vertx.setTimer(CLOSE_GRACE_MILLIS, t -> abort());
        }
    }

    /** The connection ended (either side): nothing more is written. */
    void closed() {
        closed = true;
        cancelStallTimer();
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the TCP connection at once, dropping unwritten replies (Vert.x's close() waits for them to be written). */
    private void abort() {
        closed = true;
        if (socket instanceof NetSocketInternal internal) {
            internal.channelHandlerContext().close();
        } else {
            socket.close();
        }
    }

    private void cancelStallTimer() {
        if (stallTimer >= 0) {
            vertx.cancelTimer(stallTimer);
            stallTimer = -1;
        }
    }
}
