package dev.litestack.replicator.replica.s3;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.engine.ReplicaRunner;
import dev.litestack.replicator.replica.s3.FaultInjectingProxy.Fault;
import dev.litestack.replicator.testing.AppDb;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 answers every request with 503 SlowDown or 500 InternalError for a while (through a
 * fault-injecting proxy): the replicator rides through it as through an outage.
 */
@Tag("integration")
class S3ErrorResponsesTest {

    /** How long every request fails; long enough for several retries with backoff. */
    static final Duration FAULT_PERIOD = Duration.ofSeconds(8);

    @TempDir
    Path dir;

    @Test
    void throttlingAndServerErrorsAreRiddenThrough() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
                FaultInjectingProxy proxy = new FaultInjectingProxy(server.port());
                S3ReplicationHarness h = new S3ReplicationHarness(
                        dir,
                        server.settings(server.createBucket(), "app").withEndpoint(proxy.endpoint(), true),
                        1000)) {
            ReplicaRunner runner = h.runner();
            h.startWriting(Duration.ofMillis(20));
            await("replicating through the proxy")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> h.committed() > 20 && runner.lagSeconds() < 1 && runner.healthy());

            proxy.setFault(Fault.MIXED);
            Instant start = Instant.now();
            await("failure reported").atMost(Duration.ofSeconds(10)).until(() -> !runner.healthy());
            String error = runner.lastError();
            assertTrue(
                    error.contains("throttled by " + proxy.endpoint())
                            || error.contains("server error from " + proxy.endpoint()),
                    error);
            await("lag beyond the health bound").atMost(Duration.ofSeconds(10)).until(() -> h.healthStatus() == 503);
            assertEquals(0.0, h.metric("litestream_replica_healthy"));
            await("fault period")
                    .atMost(FAULT_PERIOD.plusSeconds(5))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Duration.between(start, Instant.now()).compareTo(FAULT_PERIOD) >= 0);
            assertTrue(proxy.faultedRequests() >= 4, "faulted requests: " + proxy.faultedRequests());
            assertTrue(h.metric("litestream_replica_sync_error_count") >= 2);
            int committedDuringFault = h.committed();

            proxy.setFault(Fault.NONE);
            await("caught up after the errors stop")
                    .atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> runner.healthy() && runner.lagSeconds() < 1);
            await("healthz ok again").atMost(Duration.ofSeconds(10)).until(() -> h.healthStatus() == 200);

            int rows = h.stopWriting();
            assertTrue(rows > committedDuringFault);
            h.service.syncAll(Duration.ofSeconds(30));
            assertEquals(h.replica().db().position(), h.replica().position());
            assertEquals(AppDb.range(0, rows), AppDb.ids(h.restore("restored.db")), "every committed row");
            assertEquals(1, h.logLines("replica sync failed").size(), "one failure line:\n" + h.logText());
            assertEquals(1, h.logLines("replica sync recovered").size(), "one recovery line:\n" + h.logText());
        }
    }
}
