package dev.litestack.replicator.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Writers;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseReplicationTest {

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.DEBUG, false, System.out);

    /** A database whose page-count checkpoints run at each threshold: these tests write and sync in turns. */
    private Database open(Path db, int minPages) {
        Database.Options d = Database.Options.defaults(db);
        Database database = new Database(
                new Database.Options(
                        d.path(),
                        d.metaPath(),
                        d.monitorInterval(),
                        d.checkpointInterval(),
                        minPages,
                        d.maxCheckpointPageCount()),
                Clock.systemUTC(),
                log);
        database.checkpointAtEveryThreshold();
        return database;
    }

    private Path restore(FileReplicaClient client, String name) throws Exception {
        Path out = dir.resolve(name);
        new Restorer(4, true, log)
                .restore(RestorePlanner.plan(Map.of("file", client), RestorePlanner.Target.latest()), out);
        return out;
    }

    @Test
    void replicatesAndRestoresAcrossCheckpoints() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath);
                Database db = open(dbPath, 20)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            app.insert(0, 10);
            db.sync();
            replica.sync();
            Pos first = db.position();
            assertNotNull(first);
            assertEquals(1, client.snapshots(first.generation()).size());
            for (int round = 1; round <= 6; round++) {
                app.insert(round * 10, round * 10 + 10);
                db.sync();
                replica.sync();
            }
            app.insertBatch(70, 400);
            db.sync();
            replica.sync();
            Pos last = db.position();
            assertEquals(first.generation(), last.generation(), "one generation throughout");
            assertTrue(last.index() > first.index(), "checkpoints restarted the WAL: " + first + " -> " + last);
            assertEquals(last, replica.position());
            List<WalSegmentInfo> segs = client.walSegments(last.generation());
            assertTrue(segs.size() >= 7, "segments: " + segs.size());
        }
        assertEquals(AppDb.range(0, 400), AppDb.ids(restore(client, "restored.db")));
        assertEquals(
                List.of("restored.db"),
                Files.list(dir)
                        .map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("restored"))
                        .toList(),
                "no stray files next to the restored db");
    }

    /**
     * A writer killed inside COMMIT, after its frames reached the WAL and before SQLite's index (-shm) counted them,
     * while another connection keeps the database open: the frames look committed (valid checksums, a commit
     * frame), but the database never had that transaction and the next writer overwrites them. Staged here by
     * putting back the index as it was before a commit (from other processes: a descriptor of the -shm opened and
     * closed in this one would drop the replicator's locks). Nothing of that transaction may reach the replica.
     */
    @Test
    void framesTheWalIndexDoesNotCountAsCommittedAreNotShipped() throws Exception {
        Path dbPath = dir.resolve("app.db");
        Path shm = dir.resolve("app.db-shm");
        Path saved = dir.resolve("shm.before");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath);
                Database db = open(dbPath, 1_000_000)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            app.insert(0, 10);
            db.sync();
            replica.sync();
            Pos before = db.position();
            run("cp", shm.toString(), saved.toString());
            Writers.sqlite3(dbPath, Writers.insertSql(1000, 1));
            run("dd", "if=" + saved, "of=" + shm, "conv=notrunc", "status=none");
            db.sync();
            assertEquals(before, db.position(), "frames past the index's last committed frame are not copied");

            app.insert(10, 20); // written where the uncounted frames were
            db.sync();
            replica.sync();
            Pos after = db.position();
            assertEquals(before.generation(), after.generation(), "the WAL was never overwritten under the copy");
            assertTrue(after.offset() > before.offset() || after.index() > before.index(), after.toString());
        }
        assertEquals(AppDb.range(0, 20), AppDb.ids(restore(client, "restored.db")));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void restartContinuesTheGenerationWhileTheAppKeepsItsConnection() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath)) {
            String gen;
            try (Database db = open(dbPath, 1000)) {
                Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
                app.insert(0, 5);
                db.sync();
                replica.sync();
                gen = db.position().generation();
            }
            app.insert(5, 9);
            try (Database db = open(dbPath, 1000)) {
                Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
                db.sync();
                replica.sync();
                assertEquals(gen, db.position().generation(), "same generation after restart");
            }
        }
        assertEquals(AppDb.range(0, 9), AppDb.ids(restore(client, "r.db")));
    }

    @Test
    void replicatorClosingLastKeepsTheWalSoTheGenerationContinues() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        String gen;
        try (AppDb app = new AppDb(dbPath);
                Database db = open(dbPath, 1000)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            app.insert(0, 5);
            db.sync();
            replica.sync();
            gen = db.position().generation();
            app.close();
        }
        assertTrue(Files.exists(Path.of(dbPath + "-wal")), "the WAL survives the replicator closing last");
        try (Database db = open(dbPath, 1000)) {
            db.sync();
            assertEquals(gen, db.position().generation());
        }
    }

    @Test
    void truncateCheckpointWhileStoppedStartsANewGeneration() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath)) {
            String gen;
            try (Database db = open(dbPath, 1000)) {
                Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
                app.insert(0, 5);
                db.sync();
                replica.sync();
                gen = db.position().generation();
            }
            app.exec("PRAGMA wal_checkpoint(TRUNCATE)");
            app.insert(5, 12);
            try (Database db = open(dbPath, 1000)) {
                Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
                db.sync();
                replica.sync();
                assertNotEquals(gen, db.position().generation(), "continuity was lost: new generation");
                assertEquals(2, client.generations().size());
            }
        }
        assertEquals(AppDb.range(0, 12), AppDb.ids(restore(client, "r.db")));
    }

    @Test
    void appCheckpointsWhileRunningNeverLoseFrames() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath);
                Database db = open(dbPath, 8)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            app.insert(0, 3);
            db.sync();
            replica.sync();
            String gen = db.position().generation();
            for (int i = 0; i < 30; i++) {
                app.insert(3 + i * 5, 3 + i * 5 + 5);
                if (i % 3 == 0) {
                    app.exec("PRAGMA wal_checkpoint(PASSIVE)");
                }
                if (i % 7 == 0) {
                    app.exec("PRAGMA busy_timeout = 50");
                    app.exec("PRAGMA wal_checkpoint(TRUNCATE)");
                    app.exec("PRAGMA busy_timeout = 10000");
                }
                if (i % 2 == 0) {
                    db.sync();
                }
                if (i % 4 == 0) {
                    replica.sync();
                }
            }
            db.sync();
            replica.sync();
            assertEquals(gen, db.position().generation(), "the app's checkpoints did not break continuity");
        }
        assertEquals(AppDb.range(0, 153), AppDb.ids(restore(client, "r.db")));
    }

    /**
     * The app truncates the WAL (a {@code wal_checkpoint(TRUNCATE)}) whenever it can while the replicator snapshots and
     * syncs: a snapshot's own checkpoint lets go of the read lock for a moment, and a truncation in that moment made
     * the next read of the WAL header fail ("short read ... at 0"), logged as an ERROR at each snapshot-interval and
     * failing a final sync (exit 1) although nothing was lost.
     */
    @Test
    void aWalTruncatedByTheAppBetweenTwoStepsOfASnapshotIsReadAgain() throws Exception {
        Path dbPath = dir.resolve("app.db");
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger(10);
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath);
                AppDb truncating = new AppDb(dbPath);
                Database db = open(dbPath, 1000)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            app.insert(0, 10);
            db.sync();
            truncating.exec("PRAGMA busy_timeout = 0");
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    while (!done.get()) {
                        int n = written.get();
                        app.insert(n, n + 1);
                        written.incrementAndGet();
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // an app's pace, not a spin
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread truncater = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    try {
                        truncating.exec("PRAGMA wal_checkpoint(TRUNCATE)");
                    } catch (java.sql.SQLException e) {
                        // busy: the next one
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            });
            try {
                for (int i = 0; i < 300; i++) {
                    try (Database.SnapshotSource s = db.openSnapshot()) {
                        s.stream().transferTo(java.io.OutputStream.nullOutputStream());
                    }
                    db.sync();
                    replica.sync();
                }
            } finally {
                done.set(true);
                writer.join();
                truncater.join();
            }
            db.sync();
            replica.sync();
        }
        assertEquals(AppDb.range(0, written.get()), AppDb.ids(restore(client, "r.db")), "nothing lost either");
    }

    /**
     * A run of the replicator whose configuration lacks one replica moves the shadow WAL on and deletes the files that
     * replica's position needs. The next run with it used to retry that replica forever ("shadow wal missing"), so
     * nothing reached it until a restart and a restore from it gave the old data; now a new generation starts.
     */
    @Test
    void aReplicaWhosePositionTheShadowWalNoLongerHasContinuesInANewGeneration() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient a = new FileReplicaClient(dir.resolve("a"));
        FileReplicaClient b = new FileReplicaClient(dir.resolve("b"));
        try (AppDb app = new AppDb(dbPath)) {
            Pos left;
            try (Database db = open(dbPath, 10)) {
                Replica onlyA = new Replica(db, a, Replica.Options.defaults("a"), Clock.systemUTC(), log);
                app.insert(0, 5);
                db.sync();
                onlyA.sync();
                left = onlyA.position();
            }
            try (Database db = open(dbPath, 10)) {
                Replica onlyB = new Replica(db, b, Replica.Options.defaults("b"), Clock.systemUTC(), log);
                for (int round = 1; round <= 6; round++) {
                    app.insertBatch(round * 50, round * 50 + 50);
                    db.sync();
                    onlyB.sync();
                }
                assertEquals(left.generation(), db.position().generation());
                assertTrue(db.shadowSize(left.generation(), left.index()) < 0, "the files a needs are gone");
            }
            app.insert(400, 405);
            try (Database db = open(dbPath, 10)) {
                Replica againA = new Replica(db, a, Replica.Options.defaults("a"), Clock.systemUTC(), log);
                db.sync();
                IOException stuck = assertThrows(IOException.class, againA::sync);
                assertTrue(stuck.getMessage().contains("shadow wal missing"), stuck.getMessage());
                db.sync();
                assertNotEquals(left.generation(), db.position().generation(), "a new generation");
                againA.sync();
                assertEquals(db.position(), againA.position(), "and the replica is up to date in it");
                assertEquals(2, a.generations().size());
            }
        }
        List<Integer> want = new java.util.ArrayList<>(AppDb.range(0, 5));
        want.addAll(AppDb.range(50, 350));
        want.addAll(AppDb.range(400, 405));
        assertEquals(want, AppDb.ids(restore(a, "a.db")));
    }

    @Test
    void aLaggingReplicaKeepsTheShadowFilesItStillNeeds() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient fast = new FileReplicaClient(dir.resolve("fast"));
        FileReplicaClient slow = new FileReplicaClient(dir.resolve("slow"));
        try (AppDb app = new AppDb(dbPath);
                Database db = open(dbPath, 10)) {
            Replica a = new Replica(db, fast, Replica.Options.defaults("fast"), Clock.systemUTC(), log);
            Replica b = new Replica(db, slow, Replica.Options.defaults("slow"), Clock.systemUTC(), log);
            app.insert(0, 5);
            db.sync();
            a.sync();
            b.sync();
            for (int round = 1; round <= 8; round++) {
                app.insertBatch(round * 50, round * 50 + 50);
                db.sync();
                a.sync();
            }
            assertTrue(a.position().index() >= 4, "several indexes passed: " + a.position());
            b.sync();
            assertEquals(db.position(), b.position(), "the lagging replica caught up from the kept shadow files");
        }
        List<Integer> want = new java.util.ArrayList<>(AppDb.range(0, 5));
        want.addAll(AppDb.range(50, 450));
        assertEquals(want, AppDb.ids(restore(fast, "fast.db")));
        assertEquals(want, AppDb.ids(restore(slow, "slow.db")));
    }

    @Test
    void largeSegmentsRestoreThroughTempFilesAndLeaveNothingBehind() throws Exception {
        Path dbPath = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (AppDb app = new AppDb(dbPath);
                Database db = open(dbPath, 100_000)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            app.insert(0, 3);
            db.sync();
            replica.sync();
            app.exec("CREATE TABLE blobs (b BLOB)");
            app.exec("INSERT INTO blobs VALUES (randomblob(6 * 1024 * 1024)), (randomblob(3 * 1024 * 1024))");
            db.sync();
            replica.sync();
            long largest = client.walSegments(db.position().generation()).stream()
                    .mapToLong(WalSegmentInfo::size)
                    .max()
                    .orElse(0);
            assertTrue(largest > 4L << 20, "a segment above the in-memory limit: " + largest);
        }
        Path out = restore(client, "big.db");
        assertEquals(AppDb.range(0, 3), AppDb.ids(out));
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + out);
                var rs = c.createStatement().executeQuery("SELECT sum(length(b)) FROM blobs")) {
            rs.next();
            assertEquals(9L * 1024 * 1024, rs.getLong(1));
        }
        assertEquals(
                List.of("big.db"),
                Files.list(dir)
                        .map(p -> p.getFileName().toString())
                        .filter(n -> n.contains("big.db"))
                        .toList(),
                "no spill files or temp files left");
    }
}
