package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.LiveSocket;
import dev.litestack.todo.support.WebClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The live websocket: who may connect, what a connection receives, and garbage from clients. */
@MicronautTest
class CableSocketTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int POLICY_VIOLATION = 1008;
    /** The JDK client reports a socket the server closes during the handshake as a failed open (-1). */
    private static final int REFUSED_DURING_HANDSHAKE = -1;

    @Inject
    EmbeddedServer server;

    WebClient alice;
    WebClient bob;

    @BeforeEach
    void visit() {
        alice = new WebClient(server.getURI());
        alice.open();
        bob = new WebClient(server.getURI());
        bob.open();
    }

    @Test
    void aConnectionFirstGetsTheWholeListThenEveryChangeOfThatUserOnly() {
        alice.create("before connecting");
        LiveSocket tab = alice.live();
        LiveSocket otherUser = bob.live();
        String snapshot = tab.next(WAIT);
        assertTrue(snapshot.startsWith("<turbo-stream action=\"replace\" target=\"todo-list\">"), snapshot);
        assertTrue(snapshot.contains("dir=\"auto\">before connecting</label>"));
        assertTrue(snapshot.contains("<strong>1</strong> item left"));
        otherUser.next(WAIT);

        long id = alice.create("<script>alert('live')</script>");
        String created = tab.nextContaining("todo_" + id, WAIT);
        assertTrue(created.startsWith("<turbo-stream action=\"append\" target=\"todo-list\">"), created);
        assertTrue(created.contains("dir=\"auto\">&lt;script&gt;alert('live')&lt;/script&gt;</label>"), created);
        assertTrue(created.contains("<strong>2</strong> items left"), "fresh counter with every change");

        alice.form("PATCH", "/todos/" + id, Map.of("completed", "true"));
        assertTrue(tab.nextContaining("action=\"replace\" target=\"todo_" + id + "\"", WAIT)
                .contains("completed"));
        alice.form("DELETE", "/todos/" + id, Map.of());
        String removed = tab.nextContaining("action=\"remove\" target=\"todo_" + id + "\"", WAIT);
        assertTrue(removed.contains("<strong>1</strong> item left"), "deletes reach other tabs, with the counter");

        bob.create("bob's own");
        tab.close();
        assertTrue(otherUser.nextContaining("bob", WAIT).contains("append"));
        assertTrue(
                otherUser.messages.stream().noneMatch(m -> m.contains("todo_" + id)), "bob never sees alice's todos");
        otherUser.close();
    }

    @Test
    void aReconnectingTabCatchesUpWithASnapshot() {
        LiveSocket first = alice.live();
        first.next(WAIT);
        first.close();
        alice.create("made while away");
        LiveSocket again = alice.live();
        assertTrue(again.next(WAIT).contains("made while away"));
        again.close();
    }

    @Test
    void onlyTheCookiesOwnSignedStreamIsAccepted() {
        assertRefused(alice.live(bob.streamPath, alice.origin()), "another user's stream");
        assertRefused(alice.live("/cable/" + "A".repeat(43), alice.origin()), "forged");
        assertRefused(alice.live("/cable/x", alice.origin()), "malformed");
        WebClient anonymous = new WebClient(server.getURI());
        assertRefused(anonymous.live(alice.streamPath, alice.origin()), "no cookie");
    }

    @Test
    void onlyTheAppsOwnOriginIsAccepted() {
        assertRefused(alice.live(alice.streamPath, "http://evil.example"));
        assertRefused(alice.live(alice.streamPath, null), "Origin is required");
        LiveSocket own = alice.live();
        assertFalse(own.next(WAIT).isEmpty());
        own.close();
    }

    private static void assertRefused(LiveSocket socket, String... why) {
        int code = socket.closeCode(WAIT);
        assertTrue(code == POLICY_VIOLATION || code == REFUSED_DURING_HANDSHAKE, String.join(" ", why) + ": " + code);
        assertTrue(socket.messages.isEmpty(), "nothing was sent: " + socket.messages);
    }

    @Test
    void garbageFromTheClientClosesTheSocketAndChangesNothing() {
        alice.create("safe");
        LiveSocket tab = alice.live();
        tab.next(WAIT);
        tab.socket.sendText("{\"command\":\"subscribe\",\"identifier\":\"todos:bob\"}", true);
        assertEquals(1003, tab.closeCode(WAIT));
        LiveSocket huge = alice.live();
        huge.next(WAIT);
        huge.socket.sendText("x".repeat(100_000), true);
        assertEquals(1009, huge.closeCode(WAIT), "refused at its header, and the client still gets the close frame");
        assertTrue(alice.open().body().contains("dir=\"auto\">safe</label>"));
    }
}
