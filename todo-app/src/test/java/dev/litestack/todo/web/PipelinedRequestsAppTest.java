package dev.litestack.todo.web;

import static dev.litestack.todo.web.IncomingRequestsAppTest.connect;
import static dev.litestack.todo.web.IncomingRequestsAppTest.readToClose;
import static dev.litestack.todo.web.IncomingRequestsAppTest.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining through {@link IncomingRequests} in the app's real pipeline: requests sent ahead of their answers
 * are handed to the application one at a time, each once the answer before it is on the socket, so a client that
 * sends thousands and reads nothing makes the process hold a few requests, not thousands of requests and answers.
 */
@MicronautTest
class PipelinedRequestsAppTest {

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    @Inject
    EmbeddedServer server;

    @Inject
    IncomingRequests incoming;

    private static String get(String path, String connection) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: " + connection + "\r\n\r\n";
    }

    private static List<String> statuses(String answers) {
        List<String> out = new ArrayList<>();
        Matcher m = STATUS.matcher(answers);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void pipelinedRequestsAreAllAnsweredInOrder() throws IOException {
        try (Socket socket = connect(server)) {
            send(
                    socket,
                    get("/assets/app.css", "keep-alive")
                            + get("/no-such-page", "keep-alive")
                            + get("/assets/favicon.svg", "keep-alive")
                            + get("/assets/app.js", "close"));
            String answers = readToClose(socket);
            assertEquals(List.of("200", "404", "200", "200"), statuses(answers), answers.substring(0, 200));
            int css = answers.indexOf("The app's own rules");
            int js = answers.indexOf("The TodoMVC behaviour of the page");
            assertTrue(css > 0 && js > css, "the answers come in the order asked");
        }
        assertEquals(0, incoming.heldRequests());
    }

    /**
     * 2,000 requests for the largest script in one go, never read: the server holds at most 16 of them, closes the
     * connection past that, and keeps answering others. Micronaut alone started them all: 30 such connections ran the
     * heap out of memory for good (11-12 MiB each).
     */
    @Test
    void aClientThatSendsThousandsOfRequestsAndReadsNoneIsClosedHoldingAFew() throws Exception {
        StringBuilder flood = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            flood.append(get("/assets/turbo-8.0.23.js", "keep-alive"));
        }
        long heapBefore = usedHeapAfterGc();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < 8; c++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress(server.getHost(), server.getPort()));
                sockets.add(socket);
                send(socket, flood.toString());
            }
            for (Socket socket : sockets) {
                assertTrue(closedByServer(socket), "the server closed the flooding connection");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> incoming.heldRequests() == 0);
            long grown = usedHeapAfterGc() - heapBefore;
            assertTrue(grown < 16L << 20, "heap grew by " + (grown >> 20) + " MiB");
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        try (Socket socket = connect(server)) {
            send(socket, get("/assets/app.css", "close"));
            assertEquals(List.of("200"), statuses(readToClose(socket)));
        }
    }

    /** Reads (slowly, as a client that finally reads would) until the server ends the connection. */
    private static boolean closedByServer(Socket socket) throws IOException {
        socket.setSoTimeout(20_000);
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // the answers sent before the close
            }
            return true;
        } catch (SocketException reset) {
            return true; // closed with unread requests in its buffer: a reset
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
