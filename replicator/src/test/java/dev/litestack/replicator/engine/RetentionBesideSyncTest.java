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

    /** A replica syncing every 100 ms, with a day's retention checked every 200 ms (the first check at once). */
    private Replica replica(Database db, ReplicaClient client) {
        return new Replica(
                db,
                client,
                new Replica.Options(
                        "file", Duration.ofMillis(100), Duration.ZERO, Duration.ofHours(24), Duration.ofMillis(200)),
                Clock.systemUTC(),
                log);
    }

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
            Replica replica = replica(db, client);
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

    /**
     * A stop that begins while a retention pass is listing a replica with no snapshot within retention: the pass then
     * queued a whole-database snapshot on the replica's thread, ahead of (or just after) the final sync, which then
     * ran out of time or was interrupted. Nothing new is started once the stop has begun.
     */
    @Test
    void aPassThatEndsAfterTheStopBeganQueuesNoSnapshot() throws Exception {
        Path dbPath = dir.resolve("app.db");
        CountDownLatch listing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger snapshotsWritten = new java.util.concurrent.atomic.AtomicInteger();
        ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(dir.resolve("replica"))) {
            @Override
            public List<dev.litestack.replicator.replica.SnapshotInfo> snapshots(String generation) throws IOException {
                List<dev.litestack.replicator.replica.SnapshotInfo> all = inner.snapshots(generation);
                if (!Thread.currentThread().getName().equals("chores-test")) {
                    return all;
                }
                listing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("listing interrupted");
                }
                // as if every snapshot were two days old: the pass needs a new one before it deletes
                return all.stream()
                        .map(s -> new dev.litestack.replicator.replica.SnapshotInfo(
                                s.generation(),
                                s.index(),
                                s.size(),
                                s.createdAt().minus(Duration.ofDays(2))))
                        .toList();
            }

            @Override
            public dev.litestack.replicator.replica.SnapshotInfo writeSnapshot(
                    String generation, long index, java.io.InputStream body) throws IOException {
                snapshotsWritten.incrementAndGet();
                return inner.writeSnapshot(generation, index, body);
            }
        };
        dev.litestack.replicator.util.Scheduler chores =
                dev.litestack.replicator.util.Scheduler.thread("chores-test", Clock.systemUTC());
        try (AppDb app = new AppDb(dbPath);
                Database db = new Database(Database.Options.defaults(dbPath), Clock.systemUTC(), log)) {
            app.insert(0, 10);
            db.sync();
            Replica replica = replica(db, client);
            ReplicaRunner runner = new ReplicaRunner(
                    replica,
                    dev.litestack.replicator.util.Scheduler.thread("replica-test", Clock.systemUTC()),
                    chores,
                    log);
            try {
                runner.syncNow(TIMEOUT);
                runner.start();
                await("a retention pass listing").atMost(TIMEOUT).until(() -> listing.getCount() == 0);
                int before = snapshotsWritten.get();

                runner.stopChores(); // the stop begins, as ReplicationService.close does
                release.countDown();
                chores.submit(() -> null).get(); // the pass has ended (one chores thread)
                app.insert(10, 20);
                db.sync();
                runner.syncNow(TIMEOUT); // the final sync

                assertEquals(before, snapshotsWritten.get(), "no snapshot started after the stop began");
                assertEquals(db.position(), replica.position());
            } finally {
                release.countDown();
                runner.close();
                chores.close();
            }
        }
    }
}
