package dev.litestack.replicator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
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
 * When the monitor syncs a database: at once on the first WAL change after a quiet interval, then
 * once per interval while the WAL keeps changing; while nothing changed, only as a safety net every
 * few intervals; never with {@code monitor-interval: 0}.
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
    void aChangeAfterAQuietIntervalSyncsAtOnce() throws Exception {
        withMonitor((app, db, m, nanos, interval) -> {
            assertTrue(m.backgroundSync());
            long synced = settle(m, db, nanos, interval);
            nanos.addAndGet(interval.toNanos() * 3 / 2);
            m.poll();
            assertEquals(synced, db.stats().syncCount(), "nothing changed: no sync");
            app.insert(5, 6);
            m.poll();
            assertEquals(synced + 1, db.stats().syncCount(), "the commit is copied at the next poll");
            assertShadowHoldsTheWal(db);
        });
    }

    @Test
    void aWalThatKeepsChangingIsSyncedOncePerInterval() throws Exception {
        withMonitor((app, db, m, nanos, interval) -> {
            long synced = settle(m, db, nanos, interval);
            nanos.addAndGet(interval.toNanos());
            app.insert(5, 6);
            m.poll();
            assertEquals(++synced, db.stats().syncCount(), "the first commit after a quiet interval");
            for (int i = 1; i < 10; i++) {
                nanos.addAndGet(interval.toNanos() / 10);
                app.insert(5 + i, 6 + i);
                m.poll();
                assertEquals(synced, db.stats().syncCount(), "no second sync within the interval (poll " + i + ")");
            }
            nanos.addAndGet(interval.toNanos() / 10);
            m.poll();
            assertEquals(synced + 1, db.stats().syncCount(), "one sync when the interval is up");
            assertShadowHoldsTheWal(db);
        });
    }

    @Test
    void aFailedSyncIsRetriedOnceTheIntervalIsUp() throws Exception {
        withMonitor((app, db, m, nanos, interval) -> {
            long synced = settle(m, db, nanos, interval);
            // the shadow WAL's place is taken by a folder: the next copy into it fails
            Pos pos = db.position();
            Path shadow = db.options()
                    .metaPath()
                    .resolve("generations")
                    .resolve(pos.generation())
                    .resolve("wal")
                    .resolve(Pos.hex8(pos.index()) + ".wal");
            Path aside = shadow.resolveSibling("aside");
            Files.move(shadow, aside);
            Files.createDirectory(shadow);
            nanos.addAndGet(interval.toNanos());
            app.insert(5, 6);
            m.poll();
            assertEquals(++synced, db.stats().syncCount(), "the commit is copied at once");
            assertEquals(1, db.stats().syncErrors(), "and that copy fails");
            assertNotNull(db.syncError());
            for (int i = 1; i < 10; i++) {
                nanos.addAndGet(interval.toNanos() / 10);
                app.insert(5 + i, 6 + i);
                m.poll();
                assertEquals(synced, db.stats().syncCount(), "no retry within the interval (poll " + i + ")");
            }
            Files.delete(shadow);
            Files.move(aside, shadow);
            nanos.addAndGet(interval.toNanos() / 10);
            m.poll();
            assertEquals(synced + 1, db.stats().syncCount(), "the retry when the interval is up");
            assertEquals(1, db.stats().syncErrors(), "succeeds");
            assertNull(db.syncError());
            assertShadowHoldsTheWal(db);
        });
    }

    /** Every commit in the WAL has been copied: the position is the WAL's end (no checkpoint ran). */
    private static void assertShadowHoldsTheWal(Database db) throws Exception {
        assertEquals(
                Files.size(db.path().resolveSibling(db.path().getFileName() + "-wal")),
                db.position().offset());
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
     * Polls a monitor interval apart until a poll syncs no more: the first sync starts a
     * generation, which writes to the WAL, and the next poll syncs again because of that. Returns
     * the sync count then; the last sync ran one interval before the clock's time.
     */
    private static long settle(DbMonitor m, Database db, AtomicLong nanos, Duration interval) {
        m.poll();
        long count = db.stats().syncCount();
        assertTrue(count >= 1, "the first poll syncs");
        for (int i = 0; i < 5; i++) {
            nanos.addAndGet(interval.toNanos());
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
            long first = settle(m, db, nanos, interval);
            // the last sync ran one interval ago
            for (int i = 2; i < DbMonitor.IDLE_SYNC_FACTOR; i++) {
                nanos.addAndGet(interval.toNanos());
                m.poll();
            }
            assertEquals(first, db.stats().syncCount(), "no full sync while neither the WAL nor the database changed");
            nanos.addAndGet(interval.toNanos());
            m.poll();
            assertEquals(
                    first + 1,
                    db.stats().syncCount(),
                    "the safety-net sync " + DbMonitor.IDLE_SYNC_FACTOR + " intervals after the last");
        });
    }

    @Test
    void aChangedDatabaseFileIsSyncedWhenTheIntervalIsDue() throws Exception {
        withMonitor((app, db, m, nanos, interval) -> {
            Path path = db.path();
            settle(m, db, nanos, interval);
            app.insert(5, 6);
            m.poll();
            long synced = db.stats().syncCount();
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
