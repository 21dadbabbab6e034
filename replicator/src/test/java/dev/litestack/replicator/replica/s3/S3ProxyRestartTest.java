package dev.litestack.replicator.replica.s3;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.s3.S3ReplicaException.Reason;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A server that goes away and comes back: calls fail cleanly meanwhile and work again after. */
@Tag("integration")
class S3ProxyRestartTest {

    private static final String GEN = "0123456789abcdef";

    @Test
    void callsFailWhileTheServerIsDownAndSucceedAfterItRestarts() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start()) {
            int port = server.port();
            S3Settings settings = server.settings(server.createBucket(), "outage");
            try (S3ReplicaClient client = S3ReplicaClient.open(settings, Map.of())) {
                byte[] before = {1, 2, 3};
                client.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(before));

                server.stop();
                S3ReplicaException down = assertTimeoutPreemptively(
                        Duration.ofSeconds(60),
                        () -> assertThrows(S3ReplicaException.class, () -> client.walSegments(GEN)));
                assertEquals(Reason.UNREACHABLE, down.reason());
                assertTrue(down.getMessage().contains(server.endpoint()), down.getMessage());
                assertTimeoutPreemptively(
                        Duration.ofSeconds(60),
                        () -> assertThrows(
                                S3ReplicaException.class,
                                () -> client.writeWalSegment(
                                        new Pos(GEN, 0, 3), new ByteArrayInputStream(new byte[5]))));

                server.restart();
                assertEquals(port, server.port());
                await("writes after restart")
                        .atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .untilAsserted(() ->
                                client.writeWalSegment(new Pos(GEN, 0, 3), new ByteArrayInputStream(new byte[5])));
                assertEquals(
                        List.of(0L, 3L),
                        client.walSegments(GEN).stream().map(s -> s.offset()).toList());
                try (InputStream in = client.openWalSegment(new Pos(GEN, 0, 0))) {
                    assertArrayEquals(before, in.readAllBytes());
                }
            }
        }
    }
}
