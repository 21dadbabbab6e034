package dev.litestack.replicator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the monitor syncs a database: on every WAL change, and never with {@code monitor-interval: 0}. */
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
}
