package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.engine.ReplicaRunner;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.ManualScheduler;
import dev.litestack.replicator.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 goes away for a minute while the application keeps committing: the replicator keeps the
 * shadow WAL, reports the failure (health, metrics, one log line), retries with backoff, and ships
 * everything once S3 is back. The replica runs on a clock the test advances, so the minute passes
 * at once; S3, the database and the HTTP endpoints are real.
 */
@Tag("integration")
class S3OutageTest {

    static final Duration OUTAGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final ManualScheduler scheduler = new ManualScheduler(clock);

    @Test
    void outageIsReportedOnceAndEverythingShipsAfterRecovery() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
                S3ReplicationHarness h = new S3ReplicationHarness(
                        dir, oneAttempt(server.settings(server.createBucket(), "app")), 1000, scheduler)) {
            ReplicaRunner runner = h.runner();
            int rows = write(h, 0, 30);
            scheduler.advance(Duration.ofSeconds(1));
            assertTrue(runner.healthy() && runner.lagSeconds() == 0, "first rows replicated");
            assertEquals(200, h.healthStatus());
            assertEquals(1.0, h.metric("litestream_replica_healthy"));
            String text = h.metricsText();
            assertTrue(
                    text.lines()
                            .anyMatch(l -> l.startsWith("litestream_replica_operation_bytes{")
                                    && l.contains("operation=\"PUT\"")
                                    && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0),
                    "Litestream's exact name, with the uploaded bytes:\n" + text);
            assertFalse(text.contains("litestream_replica_operation_bytes_total"), text);
            assertTrue(text.contains("litestream_replica_operation_total{"), text);

            server.stop();
            rows = write(h, rows, 20);
            scheduler.advance(Duration.ofSeconds(1));
            assertFalse(runner.healthy(), "failure reported");
            assertEquals(0.0, h.metric("litestream_replica_healthy"));
            assertTrue(h.metric("litestream_replica_sync_error_count") >= 1);
            Pos shipped = h.replica().stats().shipped();

            // The app keeps committing through the outage; the lag grows past the health bound.
            for (int s = 1; s < OUTAGE.toSeconds(); s++) {
                rows = write(h, rows, 5);
                scheduler.advance(Duration.ofSeconds(1));
            }
            assertTrue(runner.lagSeconds() >= OUTAGE.toSeconds() - 1, "lag " + runner.lagSeconds());
            assertEquals(503, h.healthStatus());
            assertTrue(
                    h.metric("litestream_replica_lag_seconds") > S3ReplicationHarness.HEALTH_MAX_SYNC_AGE.toSeconds());
            long errors = (long) h.metric("litestream_replica_sync_error_count");
            assertTrue(
                    errors >= 5 && errors <= 8, "retried with backoff (1, 2, 4, 8, 16, 30 s): " + errors + " attempts");
            assertEquals(shipped.index(), h.metric("litestream_replica_wal_index"), "position gauges stay put");
            assertEquals(shipped.offset(), h.metric("litestream_replica_wal_offset"));
            assertTrue(shipped.offset() > 0);

            server.restart();
            // The next retry comes within the capped backoff of 30 s.
            for (int s = 0; s < 35 && !runner.healthy(); s++) {
                scheduler.advance(Duration.ofSeconds(1));
            }
            assertTrue(runner.healthy(), "recovered within the capped backoff:\n" + h.logText());
            rows = write(h, rows, 5);
            scheduler.advance(Duration.ofSeconds(1));
            assertEquals(0.0, runner.lagSeconds(), "caught up");
            assertEquals(200, h.healthStatus());
            assertEquals(1.0, h.metric("litestream_replica_healthy"));
            assertEquals(h.replica().db().position(), h.replica().position(), "replica holds everything");

            assertEquals(AppDb.range(0, rows), AppDb.ids(h.restore("restored.db")), "every committed row");
            assertEquals(1, h.logLines("replica sync failed").size(), "one failure line:\n" + h.logText());
            assertEquals(1, h.logLines("replica sync recovered").size(), "one recovery line:\n" + h.logText());
            String failed = h.logLines("replica sync failed").get(0);
            assertTrue(
                    failed.contains("replica=s3") && failed.contains(server.endpoint()),
                    "names the endpoint: " + failed);
        }
    }

    /** No retries inside the SDK (they sleep in real time): the replica's own backoff is what is tested. */
    private static S3Settings oneAttempt(S3Settings s) {
        return s.withTuning(s.tuning().withMaxAttempts(1));
    }

    /** Commits {@code n} rows and copies them to the shadow WAL (which tells the replica). */
    private static int write(S3ReplicationHarness h, int from, int n) throws Exception {
        h.app.insert(from, from + n);
        h.replica().db().sync();
        return from + n;
    }
}
