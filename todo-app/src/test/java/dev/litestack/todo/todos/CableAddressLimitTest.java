package dev.litestack.todo.todos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.RawSocket;
import dev.litestack.todo.support.WebClient;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sockets per client address: first visits are free, so one client made 513 users with 8 sockets each and held all
 * 4,096 sockets the process allows in 3 s; every other visitor's tab was then closed with 1013 and got no live
 * updates. Now each address holds at most max-sockets-per-address; the address is the proxy's header when one is
 * configured (Fly-Client-IP on Fly.io), else the peer, and an IPv6 address counts as its /64.
 */
@MicronautTest
@Property(name = "app.live.max-sockets-per-address", value = "3")
@Property(name = "app.web.client-address-header", value = "X-Client-IP")
class CableAddressLimitTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    EmbeddedServer server;

    /** A socket of a new user, from {@code address} (null: no header, the peer counts). */
    private RawSocket socket(String address) {
        WebClient visitor = new WebClient(server.getURI());
        visitor.open();
        RawSocket socket = RawSocket.open(
                visitor.base(),
                visitor.streamPath,
                visitor.cookie,
                visitor.origin(),
                0,
                address == null ? List.of() : List.of("X-Client-IP: " + address));
        assertTrue(socket.upgraded(), socket.status);
        return socket;
    }

    private static boolean admitted(RawSocket socket) {
        RawSocket.Frame first = socket.read(WAIT);
        assertNotNull(first, "a snapshot or a close");
        return first.opcode() == RawSocket.TEXT;
    }

    private static void refused(RawSocket socket) {
        RawSocket.Frame close = socket.awaitClose(WAIT);
        assertNotNull(close, "closed");
        assertEquals(1013, close.closeCode());
    }

    @Test
    void eachAddressHoldsAtMostItsShareOfSockets() {
        List<RawSocket> open = new ArrayList<>();
        try {
            for (String address : List.of("203.0.113.7", "2001:db8:1:2::1", "2001:db8:1:2::2")) {
                RawSocket s = socket(address);
                assertTrue(admitted(s), address);
                open.add(s);
            }
            for (int i = 0; i < 2; i++) {
                RawSocket s = socket("203.0.113.7");
                assertTrue(admitted(s));
                open.add(s);
            }
            try (RawSocket fourth = socket("203.0.113.7")) {
                refused(fourth);
            }
            // the same /64
            RawSocket third = socket("2001:db8:1:2:ffff::9");
            assertTrue(admitted(third));
            open.add(third);
            try (RawSocket fourth = socket("2001:db8:1:2::5")) {
                refused(fourth);
            }
            // another address is not held up; nor is one that is not an address (the peer counts then)
            try (RawSocket other = socket("203.0.113.8")) {
                assertTrue(admitted(other));
            }
            try (RawSocket noHeader = socket(null)) {
                assertTrue(admitted(noHeader));
            }
            try (RawSocket bogus = socket("not-an-address")) {
                assertTrue(admitted(bogus));
            }
            // a closed socket frees its address's share
            open.remove(0).close();
            await().atMost(WAIT).until(() -> {
                try (RawSocket again = socket("203.0.113.7")) {
                    return admitted(again);
                }
            });
        } finally {
            open.forEach(RawSocket::close);
        }
    }
}
