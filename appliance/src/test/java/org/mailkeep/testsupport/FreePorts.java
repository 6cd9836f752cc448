package org.mailkeep.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free TCP ports on loopback for the listeners a test starts (JDK only: the soak runs it outside Maven). */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * {@code count} distinct free ports: each socket stays open until all are known, so the kernel cannot hand out one
     * port twice (two listeners on one port share it; the appliance refuses to start then).
     */
    public static int[] distinct(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        // closing a listening socket we opened: nothing to do
                    }
                }
            }
        }
    }
}
