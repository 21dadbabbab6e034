package dev.litestack.replicator.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.ForwardingReplicaClient;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retention pass whose deletions take long (a server that refuses batch deletes, so they go key by key; s3proxy's
 * filesystem store took 10 s per folder) ran on the replica's thread, between syncs: uploads stopped meanwhile, and a
 * SIGTERM then queued the final sync behind the pass, past the shutdown timeout, and the writes since boot were not
 * uploaded (115 acknowledged todos, 50 restored). Retention now runs beside the syncs, on real threads here.
 */
@Tag("integration")
class RetentionBesideSyncTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.INFO, false, System.out);

    /** A client whose generation deletions wait until released (or interrupted). */
    private static final class StallingDeletes extends ForwardingReplicaClient {
        final CountDownLatch deleting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        StallingDeletes(ReplicaClient inner) {
            super(inner);
        }

        @Override
        public void deleteGeneration(String generation) throws IOException {
            deleting.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("deletion interrupted");
            }
            inner.deleteGeneration(generation);
        }
    }

    @Test
    void aStalledRetentionPassHoldsUpNeitherUploadsNorTheFinalSync() throws Exception {
        Path dbPath = dir.resolve("app.db");
        Path replicaDir = dir.resolve("replica");
        try (AppDb app = new AppDb(dbPath)) {
            // an earlier run, two days ago, left a generation that is past retention now
            app.insert(0, 10);
            Database earlier = new Database(Database.Options.defaults(dbPath), Clock.systemUTC(), log);
            earlier.sync();
            new Replica(
                            earlier,
                            new FileReplicaClient(replicaDir, Clock.offset(Clock.systemUTC(), Duration.ofDays(-2))),
                            Replica.Options.defaults("file"),
                            Clock.systemUTC(),
                            log)
                    .sync();
            String old = earlier.position().generation();
            earlier.close();
            app.insert(10, 20);
            app.exec("PRAGMA wal_checkpoint(TRUNCATE)"); // while it was down: the next run begins a generation

            StallingDeletes client = new StallingDeletes(new FileReplicaClient(replicaDir));
            Database db = new Database(Database.Options.defaults(dbPath), Clock.systemUTC(), log);
            Replica replica = new Replica(
                    db,
                    client,
                    new Replica.Options(
                            "file",
                            Duration.ofMillis(100),
                            Duration.ZERO,
                            Duration.ofHours(24),
                            Duration.ofMillis(200)),
                    Clock.systemUTC(),
                    log);
            ReplicationService service = new ReplicationService(
                    List.of(new ReplicationService.Entry(db, List.of(replica))), Clock.systemUTC(), log);
            try {
                service.start(TIMEOUT);
                assertNotEquals(old, db.position().generation());
                await("retention deleting the old generation")
                        .atMost(TIMEOUT)
                        .until(() -> client.deleting.getCount() == 0);

                Pos before = replica.position();
                app.insert(20, 120);
                await("uploads while the deletion stalls")
                        .atMost(TIMEOUT)
                        .until(() -> replica.position() != null
                                && !replica.position().equals(before)
                                && replica.position().equals(db.position()));
                app.insert(120, 200);
                service.close(Duration.ofSeconds(10)); // throws if the final sync did not finish
            } finally {
                client.release.countDown();
                service.close(Duration.ofSeconds(10)); // after a failure above (else already closed)
            }
            Path out = dir.resolve("restored.db");
            new Restorer(2, true, log)
                    .restore(
                            RestorePlanner.plan(
                                    Map.of("file", new FileReplicaClient(replicaDir)), RestorePlanner.Target.latest()),
                            out);
            assertEquals(AppDb.range(0, 200), AppDb.ids(out));
            assertTrue(new FileReplicaClient(replicaDir).generations().contains(old), "the stalled deletion never ran");
        }
    }
}
