package org.mailkeep.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;

/**
 * A session's output, which never blocks a thread on a client that does not read (issue 15): responses are handed to
 * the transport while its write queue has room; beyond that they wait here, text as bytes and message contents as
 * open file regions read 64 KiB at a time as the client reads. The session starts no new command (and FETCH answers no
 * further message) while anything waits, so what waits is bounded by one message's response text and one open file;
 * the transport closes a connection whose client has not read for a while.
 */
final class ResponseWriter {

    private static final int FLUSH_AT = 64 * 1024;
    private static final int CHUNK = 64 * 1024;

    private final ImapSession.Transport transport;
    private final Runnable drained;
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    /** Output not handed to the transport yet, in order: byte[] or Region. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean awaitingDrain;
    private boolean closed;

    /** {@code drained} runs (on the session's executor) when output that had to wait has all been handed on. */
    ResponseWriter(ImapSession.Transport transport, Runnable drained) {
        this.transport = transport;
        this.drained = drained;
    }

    /** Bytes [from, to) of a file, not yet sent; the channel is open from the start, so the file may go meanwhile. */
    private static final class Region {
        final FileChannel channel;
        long position;
        final long end;

        Region(FileChannel channel, long from, long to) {
            this.channel = channel;
            this.position = from;
            this.end = to;
        }

        /** The next chunk, or null at the end (when the channel is closed). */
        byte[] next() {
            try {
                if (position >= end) {
                    channel.close();
                    return null;
                }
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, end - position));
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, position + buffer.position()) < 0) {
                        throw new IOException("message file is shorter than its index says");
                    }
                }
                position += buffer.capacity();
                return buffer.array();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // the literal's length is announced: the session must end
            }
        }
    }

    void send(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        send(bytes, 0, bytes.length);
    }

    void send(byte[] bytes, int offset, int length) {
        text.write(bytes, offset, length);
        if (text.size() > FLUSH_AT) {
            flush();
        }
    }

    /** Sends bytes [from, to) of {@code file} after what was sent before (the literal's announcement is the caller's). */
    void sendFile(Path file, long from, long to) throws IOException {
        if (to <= from) {
            return;
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        moveText();
        waiting.add(new Region(channel, from, to));
        pump();
    }

    void flush() {
        moveText();
        pump();
    }

    /** Whether output waits for the client to read (the session then starts nothing new); text not flushed yet does not. */
    boolean backlogged() {
        return !waiting.isEmpty();
    }

    /** The connection is gone: open files are closed, nothing more is sent. */
    void close() {
        closed = true;
        text.reset();
        for (Object item : waiting) {
            if (item instanceof Region region) {
                try {
                    region.channel.close();
                } catch (IOException ignored) {
                    // closing a file only read from
                }
            }
        }
        waiting.clear();
    }

    private void moveText() {
        if (text.size() > 0 && !closed) {
            waiting.add(text.toByteArray());
        }
        text.reset();
    }

    /** Hands waiting output to the transport until its write queue is full; then goes on when it has drained. */
    private void pump() {
        while (!waiting.isEmpty() && !closed) {
            if (transport.congested()) {
                if (!awaitingDrain) {
                    awaitingDrain = true;
                    transport.whenDrained(this::resume);
                }
                return;
            }
            Object head = waiting.peek();
            if (head instanceof byte[] bytes) {
                waiting.poll();
                transport.write(bytes);
            } else {
                byte[] chunk = ((Region) head).next();
                if (chunk == null) {
                    waiting.poll();
                } else {
                    transport.write(chunk);
                }
            }
        }
    }

    private void resume() {
        awaitingDrain = false;
        if (closed) {
            return;
        }
        pump();
        if (waiting.isEmpty()) {
            drained.run();
        }
    }
}
