package dev.litestack.replicator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the monitor syncs a database: on every WAL change; while nothing changed, only as a safety
 * net every few intervals; never with {@code monitor-interval: 0}.
 */
class DbMonitorTest {

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.INFO, false, System.out);

    private Database open(Path db, Duration monitorInterval) {
        Database.Options d = Database.Options.defaults(db);
        return new Database(
                new Database.Options(
                        d.path(),
                        d.metaPath(),
                        monitorInterval,
                        d.checkpointInterval(),
                        d.minCheckpointPageCount(),
                        d.maxCheckpointPageCount()),
                Clock.systemUTC(),
                log);
    }

    @Test
    void aWalChangeSyncs() throws Exception {
        Path path = dir.resolve("app.db");
        try (AppDb app = new AppDb(path);
                Database db = open(path, Duration.ofSeconds(1))) {
            DbMonitor m = new DbMonitor(db, log);
            assertTrue(m.backgroundSync());
            m.poll();
            long before = db.stats().syncCount();
            app.insert(0, 5);
            m.poll();
            assertEquals(before + 1, db.stats().syncCount());
        }
    }

    @Test
    void monitorIntervalZeroTurnsBackgroundSyncingOff() throws Exception {
        Path path = dir.resolve("app.db");
        try (AppDb app = new AppDb(path);
                Database db = open(path, Duration.ZERO)) {
            DbMonitor m = new DbMonitor(db, log);
            assertFalse(m.backgroundSync());
            app.insert(0, 5);
            m.poll();
            m.poll();
            assertEquals(0, db.stats().syncCount(), "nothing synced in the background");
            db.sync();
            assertEquals(1, db.stats().syncCount(), "an explicit sync still works");
        }
    }

    /**
     * Polls until a poll syncs no more: the first sync starts a generation, which writes to the
     * WAL, and the next poll syncs again because of that. Returns the sync count then.
     */
    private static long settle(DbMonitor m, Database db) {
        m.poll();
        long count = db.stats().syncCount();
        assertTrue(count >= 1, "the first poll syncs");
        for (int i = 0; i < 5; i++) {
            m.poll();
            if (db.stats().syncCount() == count) {
                return count;
            }
            count = db.stats().syncCount();
        }
        throw new AssertionError("every poll synced: " + count);
    }

    /** A database with a few rows, a monitor on a clock the test moves, and the monitor's interval. */
    private interface Scenario {
        void run(AppDb app, Database db, DbMonitor m, AtomicLong nanos, Duration interval) throws Exception;
    }

    private void withMonitor(Scenario s) throws Exception {
        Path path = dir.resolve("app.db");
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        Duration interval = Duration.ofSeconds(1);
        try (AppDb app = new AppDb(path);
                Database db = open(path, interval)) {
            app.insert(0, 5);
            DbMonitor m = new DbMonitor(db, log, nanos::get);
            s.run(app, db, m, nanos, interval);
        }
    }

    @Test
    void anUnchangedDatabaseIsSyncedOnlyAsASafetyNet() throws Exception {
        withMonitor((app, db, m, nanos, interval) -> {
            long first = settle(m, db);
            for (int i = 1; i < DbMonitor.IDLE_SYNC_FACTOR; i++) {
                nanos.addAndGet(interval.toNanos());
                m.poll();
            }
            assertEquals(first, db.stats().syncCount(), "no full sync while neither the WAL nor the database changed");
            nanos.addAndGet(interval.toNanos());
            m.poll();
            assertEquals(
                    first + 1,
                    db.stats().syncCount(),
                    "the safety-net sync after " + DbMonitor.IDLE_SYNC_FACTOR + " intervals");
        });
    }

    @Test
    void aChangedDatabaseFileIsSyncedWhenTheIntervalIsDue() throws Exception {
        withMonitor((app, db, m, nanos, interval) -> {
            Path path = db.path();
            long synced = settle(m, db);
            // the app checkpoints: the database file changes, the WAL file does not
            FileTime before = Files.getLastModifiedTime(path);
            long walSize = Files.size(path.resolveSibling("app.db-wal"));
            try (var st = app.connection().createStatement()) {
                st.execute("PRAGMA wal_checkpoint(PASSIVE)");
            }
            assertNotEquals(before, Files.getLastModifiedTime(path), "the checkpoint wrote the database file");
            assertEquals(walSize, Files.size(path.resolveSibling("app.db-wal")));
            nanos.addAndGet(interval.toNanos() / 2);
            m.poll();
            assertEquals(synced, db.stats().syncCount(), "not before the interval");
            nanos.addAndGet(interval.toNanos() / 2);
            m.poll();
            assertEquals(synced + 1, db.stats().syncCount(), "the database file changed: a full sync");
        });
    }
}
