package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.RawSocket;
import dev.litestack.todo.support.WebClient;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one client, or many cheap users, can make the process hold through websockets: pongs for pings it never
 * reads, compression state, sockets. The server's send buffer is small here, so a client that does not read fills
 * the kernel's buffers after a few thousand pongs instead of a few million.
 */
@MicronautTest
@Property(name = "micronaut.server.netty.child-options.SO_SNDBUF", value = "4096")
@Property(name = "app.live.max-sockets", value = "4")
class CableLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int PINGS = 100_000;

    @Inject
    EmbeddedServer server;

    private RawSocket open(WebClient visitor, int receiveBuffer, List<String> headers) {
        RawSocket socket = RawSocket.open(
                visitor.base(), visitor.streamPath, visitor.cookie, visitor.origin(), receiveBuffer, headers);
        assertTrue(socket.upgraded(), socket.status);
        return socket;
    }

    private WebClient visitor() {
        WebClient visitor = new WebClient(server.getURI());
        visitor.open();
        return visitor;
    }

    @Test
    void aClientThatPingsAndDoesNotReadGetsAPongForFewOfThemAndCompressionIsNotOffered() {
        try (RawSocket socket = open(
                visitor(), 4096, List.of("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"))) {
            assertTrue(
                    socket.headers.stream().noneMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions")),
                    "no compression negotiated: " + socket.headers);
            assertTrue(socket.sendPings(PINGS));
            // a text frame makes the server close with 1003, after it has taken every ping before it
            assertTrue(socket.send(true, RawSocket.TEXT, "x".getBytes(StandardCharsets.US_ASCII)));
            int pongs = 0;
            RawSocket.Frame frame;
            while ((frame = socket.read(WAIT)) != null && frame.opcode() != RawSocket.CLOSE) {
                if (frame.opcode() == RawSocket.PONG) {
                    pongs++;
                }
            }
            assertNotNull(frame, "closed with a close frame after the pongs");
            assertEquals(1003, frame.closeCode());
            assertTrue(pongs > 0, "pings are answered while the client's buffers take the pongs");
            assertTrue(
                    pongs < PINGS / 2,
                    pongs + " of " + PINGS + " pings answered: pongs were queued for a client that did not read");
        }
    }

    @Test
    void theProcessHoldsAtMostMaxSocketsAcrossUsers() {
        List<RawSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawSocket socket = open(visitor(), 0, List.of());
                assertNotNull(socket.read(WAIT), "snapshot of socket " + i);
                open.add(socket);
            }
            try (RawSocket fifth = open(visitor(), 0, List.of())) {
                RawSocket.Frame close = fifth.awaitClose(WAIT);
                assertNotNull(close, "the fifth socket, of a fifth user, is closed");
                assertEquals(1013, close.closeCode());
            }
            open.remove(0).close();
            WebClient later = visitor();
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
                try (RawSocket again = open(later, 0, List.of())) {
                    RawSocket.Frame first = again.read(WAIT);
                    return first != null && first.opcode() == RawSocket.TEXT;
                }
            });
        } finally {
            open.forEach(RawSocket::close);
        }
    }
}
