package dev.litestack.todo.web;

import static dev.litestack.todo.web.IncomingRequestsAppTest.readToClose;
import static dev.litestack.todo.web.IncomingRequestsAppTest.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code app.web.max-connections} on the app's real listener: connections are counted as they are accepted, one more
 * than the cap closes the connection idle the longest (for a second at least), and with none idle the new one is
 * closed unread.
 */
@MicronautTest
@Property(name = "app.web.max-connections", value = "6")
@Property(name = "app.web.request-read-timeout", value = "60s")
class ConnectionCapAppTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String GET = "GET /health HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n";

    @Inject
    EmbeddedServer server;

    @Inject
    IncomingRequests incoming;

    private Socket open() throws IOException {
        return IncomingRequestsAppTest.connect(server);
    }

    /** What the server sends until it closes; "" if it closes (or resets) without a byte. */
    private static String answer(Socket socket) {
        try {
            return readToClose(socket);
        } catch (SocketException reset) {
            return "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pastTheCapTheConnectionIdleTheLongestMakesRoomAndWithNoneIdleTheNewOneIsClosed() throws IOException {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                held.add(open()); // connected, nothing sent: idle
                int n = i + 1;
                await().atMost(WAIT).until(() -> incoming.openConnections() == n);
            }
            // refused until the oldest has been idle for a second (its first request might have been on its way)
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                try (Socket seventh = open()) {
                    send(seventh, GET);
                    return answer(seventh).startsWith("HTTP/1.1 200 ");
                }
            });
            assertEquals("", answer(held.get(0)), "the connection idle the longest was closed for it");
            held.remove(0).close();
            await().atMost(WAIT).until(() -> incoming.openConnections() == 5);

            held.add(open());
            for (Socket s : held) {
                send(s, "GET /health HTTP/1.1\r\nHost: ap"); // six requests arriving: none idle
            }
            await().atMost(WAIT).until(() -> incoming.incompleteRequests() == 6);
            try (Socket refused = open()) {
                assertEquals("", answer(refused), "none idle: the new connection is closed unread");
            }
            assertEquals(6, incoming.openConnections());

            for (Socket s : held) {
                s.close();
            }
            await().atMost(WAIT).until(() -> incoming.openConnections() == 0);
            try (Socket after = open()) {
                send(after, GET);
                String ok = answer(after);
                assertTrue(ok.startsWith("HTTP/1.1 200 "), ok);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
