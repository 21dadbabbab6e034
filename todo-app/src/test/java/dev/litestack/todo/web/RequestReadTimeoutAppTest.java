package dev.litestack.todo.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** {@link IncomingRequests}' read timeout in the app's real pipeline, over raw TCP. */
@MicronautTest
@Property(name = "app.web.request-read-timeout", value = "2s")
class RequestReadTimeoutAppTest {

    @Inject
    EmbeddedServer server;

    @Test
    void aRequestThatNeverFinishesArrivingIsAnswered408() throws IOException {
        try (Socket slow = new Socket(server.getHost(), server.getPort())) {
            slow.setSoTimeout(20_000);
            IncomingRequestsAppTest.send(slow, "GET / HTTP/1.1\r\nHost: app\r\nX-Slow: a");
            String answer = IncomingRequestsAppTest.readToClose(slow);
            assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
        }
    }
}
