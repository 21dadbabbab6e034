package dev.litestack.replicator.replica.s3;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.ReplicaRunner;
import dev.litestack.replicator.testing.AppDb;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 goes away while the application keeps committing: the replicator keeps the shadow WAL,
 * reports the failure (health, metrics, one log line), and ships everything once S3 is back.
 */
class S3OutageTest {

    /**
     * How long S3 stays down. The issue describes a 30 s outage; 12 s exercises the same path
     * (several failed retries with growing backoff, the health bound of 2 s exceeded many times
     * over, WAL written throughout) while keeping the suite fast.
     */
    static final Duration OUTAGE = Duration.ofSeconds(12);

    @TempDir
    Path dir;

    @Test
    void outageIsReportedOnceAndEverythingShipsAfterRecovery() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
             S3ReplicationHarness h = new S3ReplicationHarness(dir, server.settings(server.createBucket(), "app"),
                     1000)) {
            ReplicaRunner runner = h.runner();
            h.startWriting(Duration.ofMillis(20));
            await("first rows replicated").atMost(Duration.ofSeconds(20))
                    .until(() -> h.committed() > 20 && runner.lagSeconds() < 1 && runner.healthy());
            assertEquals(200, h.healthStatus());
            assertEquals(1.0, h.metric("litestream_replica_healthy"));

            server.stop();
            Instant down = Instant.now();
            int committedBeforeOutage = h.committed();
            await("failure reported").atMost(Duration.ofSeconds(10)).until(() -> !runner.healthy());
            await("lag beyond the health bound").atMost(Duration.ofSeconds(10))
                    .until(() -> runner.lagSeconds() > S3ReplicationHarness.HEALTH_MAX_SYNC_AGE.toSeconds() + 1);
            assertEquals(503, h.healthStatus());
            assertEquals(0.0, h.metric("litestream_replica_healthy"));
            assertTrue(h.metric("litestream_replica_sync_error_count") >= 1);
            assertTrue(h.metric("litestream_replica_lag_seconds") > S3ReplicationHarness.HEALTH_MAX_SYNC_AGE.toSeconds());
            Pos shipped = h.replica().stats().shipped();
            assertEquals(shipped.index(), h.metric("litestream_replica_wal_index"), "position gauges stay put");
            assertEquals(shipped.offset(), h.metric("litestream_replica_wal_offset"));
            assertTrue(shipped.offset() > 0);

            // Keep writing through the rest of the outage; the lag keeps growing meanwhile.
            await("outage").atMost(OUTAGE.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Duration.between(down, Instant.now()).compareTo(OUTAGE) >= 0);
            assertTrue(runner.lagSeconds() >= OUTAGE.toSeconds() - 1, "lag " + runner.lagSeconds());
            assertTrue(h.committed() > committedBeforeOutage + 100, "the app kept committing during the outage");
            assertTrue(h.metric("litestream_replica_sync_error_count") >= 3, "retried several times");
            int committedDuringOutage = h.committed();

            server.restart();
            // The next retry comes within the capped backoff (here about 8 s after 12 s down).
            await("caught up after recovery").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                    .until(() -> runner.healthy() && runner.lagSeconds() < 1);
            await("healthz ok again").atMost(Duration.ofSeconds(10)).until(() -> h.healthStatus() == 200);
            assertEquals(1.0, h.metric("litestream_replica_healthy"));

            int rows = h.stopWriting();
            assertTrue(rows > committedDuringOutage);
            h.service.syncAll(Duration.ofSeconds(30));
            Pos dbPos = h.replica().db().position();
            assertEquals(dbPos, h.replica().position(), "replica holds everything");
            assertEquals(0.0, runner.lagSeconds());

            assertEquals(AppDb.range(0, rows), AppDb.ids(h.restore("restored.db")), "every committed row");
            assertEquals(1, h.logLines("replica sync failed").size(), "one failure line:\n" + h.logText());
            assertEquals(1, h.logLines("replica sync recovered").size(), "one recovery line:\n" + h.logText());
            String failed = h.logLines("replica sync failed").get(0);
            assertTrue(failed.contains("replica=s3") && failed.contains("cannot reach endpoint " + server.endpoint()),
                    failed);
        }
    }
}
