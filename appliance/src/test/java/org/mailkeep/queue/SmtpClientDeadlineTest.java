package org.mailkeep.queue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The outbound client against a hostile remote (issue 15's audit of every socket): a server that dribbles its greeting
 * one octet at a time, each within the read timeout, must not hold a queue worker longer than the reply timeout.
 */
class SmtpClientDeadlineTest {

    @Test
    void aReplyDribbledOctetByOctetEndsAtTheReplyTimeout() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread remote = new Thread(() -> {
                try (Socket socket = listener.accept()) {
                    OutputStream out = socket.getOutputStream();
                    out.write("220-".getBytes());
                    for (int i = 0; i < 40; i++) { // bounded: 40 octets, one every 300 ms (12 s), never a whole line
                        out.write('x');
                        out.flush();
                        Thread.sleep(300);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the client gave up: what the test wants
                }
            });
            remote.setDaemon(true);
            remote.start();
            Duration second = Duration.ofSeconds(1);
            SmtpClient.Timeouts timeouts = new SmtpClient.Timeouts(second, second, second, second, second, second);
            long started = System.nanoTime();
            try (SmtpClient client = SmtpClient.connect((InetSocketAddress) listener.getLocalSocketAddress(), "slow.example.net",
                    Duration.ofSeconds(5), timeouts, null, false)) {
                assertThatThrownBy(client::greeting).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("within 1s");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        }
    }
}
