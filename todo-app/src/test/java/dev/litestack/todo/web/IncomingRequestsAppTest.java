package dev.litestack.todo.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.WebClient;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link IncomingRequests} in the app's real Netty pipeline, over raw TCP: what Micronaut would have answered
 * differently, and the cap on requests in the middle of arriving (the read timeout is a minute here, so only the
 * cap closes anything; {@link RequestReadTimeoutAppTest} has a short one).
 */
@MicronautTest
@Property(name = "app.web.request-read-timeout", value = "60s")
@Property(name = "app.web.max-incomplete-requests", value = "4")
class IncomingRequestsAppTest {

    @Inject
    EmbeddedServer server;

    private Socket open() throws IOException {
        return connect(server);
    }

    /** A raw connection to {@code server}, reads timing out after 20 s. */
    static Socket connect(EmbeddedServer server) throws IOException {
        Socket socket = new Socket(server.getHost(), server.getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Everything the server sends until it closes the connection. */
    static String readToClose(Socket socket) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean hasInput(Socket socket) {
        try {
            return socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    private String exchange(String request) throws IOException {
        try (Socket socket = open()) {
            send(socket, request);
            return readToClose(socket);
        }
    }

    @Test
    void malformedRequestsGetTheirOwnStatusInHttp11WithTheSecurityHeaders() throws IOException {
        String[][] cases = {
            {"GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: app\r\n\r\n", "414 Request-URI Too Long"},
            {"GET / HTTP/1.1\r\nHost: app\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", "431 "},
            {"GET / HTTP/9.9\r\nHost: app\r\n\r\n", "505 HTTP Version Not Supported"},
            {"GET / HTTP/1.1\r\n\r\n", "400 Bad Request"},
            {"GARBAGE\r\n\r\n", "400 Bad Request"},
            {"POST /todos HTTP/1.1\r\nHost: app\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n", "413 "},
        };
        for (String[] c : cases) {
            String answer = exchange(c[0]);
            String what = c[0].substring(0, Math.min(16, c[0].length())) + " -> " + answer;
            assertTrue(answer.startsWith("HTTP/1.1 " + c[1]), what);
            assertTrue(answer.contains("X-Content-Type-Options: nosniff"), what);
            assertTrue(answer.contains("X-Frame-Options: DENY"), what);
            assertTrue(!answer.contains("100 Continue"), what);
        }
        assertTrue(exchange("GET / HTTP/1.0\r\n\r\n").startsWith("HTTP/1.0 200 OK"), "HTTP/1.0 needs no Host");
    }

    /**
     * Websocket handshakes Netty's handshaker cannot complete were never answered (an error with a stack trace was
     * logged instead) and their connections stayed open for the 300 s idle timeout: 5,000 of them, no session
     * needed, took every connection the server admits. Now each is refused at once and its connection closed.
     */
    @Test
    void aWebsocketHandshakeThatCannotBeCompletedIsAnsweredAndClosed() throws IOException {
        String upgrade = "Host: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        String[][] cases = {
            {"GET /cable/x HTTP/1.1\r\n" + upgrade + "Sec-WebSocket-Version: 13\r\n\r\n", "400 "},
            {"GET /cable/x HTTP/1.1\r\n" + upgrade + key + "\r\n", "426 "},
            {"GET /cable/x HTTP/1.1\r\n" + upgrade + key + "Sec-WebSocket-Version: 8\r\n\r\n", "426 "},
            {"GET /cable/x HTTP/1.1\r\n" + upgrade + "Sec-WebSocket-Key: \r\nSec-WebSocket-Version: 13\r\n\r\n", "400 "
            },
            {
                "GET /cable/x HTTP/1.1\r\n" + upgrade
                        + "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
                "400 "
            },
            {"HEAD /cable/x HTTP/1.1\r\n" + upgrade + key + "Sec-WebSocket-Version: 13\r\n\r\n", "400 "},
            {"GET /cable/x HTTP/1.0\r\n" + upgrade + key + "Sec-WebSocket-Version: 13\r\n\r\n", "400 "},
            {
                "GET /cable/x HTTP/1.1\r\nHost: app\r\nUpgrade: websocket, h2c\r\nConnection: Upgrade\r\n" + key
                        + "Sec-WebSocket-Version: 13\r\n\r\n",
                "400 "
            },
            {
                "GET /cable/x HTTP/1.1\r\n" + upgrade + "Upgrade: h2c\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
                "400 "
            },
            // hixie-76 (no version, two key headers)
            {
                "GET /cable/x HTTP/1.1\r\n" + upgrade + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                        + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U",
                "426 "
            },
        };
        for (String[] c : cases) {
            String answer = exchange(c[0]);
            String what = c[0].replace("\r\n", " | ") + " -> " + answer;
            assertTrue(answer.startsWith("HTTP/1.1 " + c[1]), what);
            assertTrue(answer.contains("X-Content-Type-Options: nosniff"), what);
            if (c[1].equals("426 ")) {
                assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-version: 13"), what);
            }
        }
    }

    @Test
    void pastTheCapTheOldestIncompleteRequestsAreClosedAndTheAppStillAnswers() throws IOException {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                Socket s = open();
                send(s, "GET / HTTP/1.1\r\nHost: app\r\nX-Slow: " + i);
                slow.add(s);
            }
            // two were pushed out by the fifth and the sixth (the two the server began reading first: their event
            // loops need not read them in the order they were sent)
            List<Socket> answered = await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(
                            () -> slow.stream()
                                    .filter(IncomingRequestsAppTest::hasInput)
                                    .toList(),
                            a -> a.size() >= 2);
            assertEquals(2, answered.size(), "exactly two closed");
            for (Socket s : answered) {
                String answer = readToClose(s);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            }
            for (Socket s : slow) {
                if (!answered.contains(s)) {
                    s.setSoTimeout(100);
                    assertThrows(
                            SocketTimeoutException.class,
                            () -> s.getInputStream().read(),
                            "still waiting");
                }
            }
            WebClient visitor = new WebClient(server.getURI());
            assertEquals(200, visitor.open().statusCode(), "a whole request is not held up by them");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }
}
