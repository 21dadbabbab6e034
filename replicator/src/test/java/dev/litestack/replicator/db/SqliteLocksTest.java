package dev.litestack.replicator.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.testing.Writers;
import dev.litestack.replicator.testing.Writers.Kind;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The replicator must keep SQLite's POSIX locks on the database for as long as its connections
 * are open: if it dropped them (by closing any descriptor of the file), another process's last
 * close would checkpoint and delete the WAL under the replicator's connections. Writers here are
 * real processes that open, write and close, as a cron job or the sqlite3 shell does.
 */
@Tag("integration")
class SqliteLocksTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final Log log = new Log(Log.Level.DEBUG, false, new PrintStream(logBytes, true, StandardCharsets.UTF_8));

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anotherProcesssLastCloseLeavesTheWalAfterSnapshotsCheckpointsAndValidation(Kind kind) throws Exception {
        Path db = dir.resolve("app.db");
        Path wal = Path.of(db + "-wal");
        Writers.insert(kind, db, 0, 5, 0);
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        int rows = 5;
        try (Database d = new Database(Database.Options.defaults(db), Clock.systemUTC(), log)) {
            Replica replica = new Replica(d, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            d.sync();
            replica.sync(); // the first snapshot reads the database file
            for (int round = 0; round < 3; round++) {
                replica.snapshot();
                d.checkpoint(CheckpointMode.PASSIVE);
                assertTrue(d.checkpointedState() != null, "validation's fingerprint of the database file");
                assertTrue(Writers.thisProcessLocks(db), "the replicator still holds its lock on the database file");
                Writers.insert(kind, db, rows, 20, 0);
                rows += 20;
                assertTrue(
                        Files.exists(wal),
                        "round " + round + ": a writer's last close deleted the WAL: "
                                + "the replicator's locks were dropped");
                d.sync();
                replica.sync();
                assertEquals(d.position(), replica.position());
            }
            assertEquals(1, client.generations().size(), "one generation throughout:\n" + logText());
        }
        assertEquals(AppDb.range(0, rows), AppDb.liveIds(db), "the source database");
        assertEquals(AppDb.range(0, rows), AppDb.ids(restoreOurs(client, "ours.db")));
        Path theirs = dir.resolve("theirs.db");
        new Litestream(dir, Map.of())
                .restore(theirs, client.root().toUri().toString())
                .requireSuccess("litestream restore");
        assertEquals(AppDb.range(0, rows), AppDb.ids(theirs));
    }

    /**
     * Another database moved into place while the old one's WAL is still beside it (the replicator's connections kept
     * it from being removed at its writer's last close): that WAL is moved aside before SQLite opens the new file. It
     * used to be applied to the new file, pages of one database over another: the source failed integrity_check and
     * the new generation's snapshot shipped the damage.
     */
    @Test
    void aDatabaseMovedIntoPlaceIsNotMixedWithTheOldOnesWal() throws Exception {
        Path db = dir.resolve("app.db");
        Path other = dir.resolve("other.db");
        Writers.insert(Kind.SHELL, db, 0, 10, 0);
        Writers.insert(Kind.SHELL, other, 100, 70, 0);
        assertTrue(!Files.exists(Path.of(other + "-wal")), "the other database is whole in its file");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (Database d = new Database(Database.Options.defaults(db), Clock.systemUTC(), log)) {
            Replica replica = new Replica(d, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            d.sync();
            replica.sync();
            Writers.insert(Kind.SHELL, db, 10, 20, 0);
            d.sync();
            replica.sync();
            assertTrue(Files.size(Path.of(db + "-wal")) > 0, "the old database's WAL has frames");
            Files.move(other, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            d.sync();
            replica.sync();
            assertTrue(logText().contains("moved it aside"), logText());
            Writers.insert(Kind.SHELL, db, 170, 5, 0);
            d.sync();
            replica.sync();
            assertEquals(null, d.syncError());
        }
        try (var names = Files.list(dir)) {
            assertEquals(
                    1,
                    names.filter(p -> p.getFileName().toString().startsWith("app.db-wal.before-replace-"))
                            .count());
        }
        assertEquals(AppDb.range(100, 175), AppDb.liveIds(db), "the source database: the new one, whole");
        assertEquals(AppDb.range(100, 175), AppDb.ids(restoreOurs(client, "ours.db")));
        Path theirs = dir.resolve("theirs.db");
        new Litestream(dir, Map.of())
                .restore(theirs, client.root().toUri().toString())
                .requireSuccess("litestream restore");
        assertEquals(AppDb.range(100, 175), AppDb.ids(theirs));
    }

    /**
     * The same, but another process still has the old WAL open (an app that reads the new file through it): the WAL is
     * left where it is (moving it would take that process's writes with it) and a warning says why.
     */
    @Test
    void aDatabaseMovedIntoPlaceKeepsAWalThatAnotherProcessHasOpen() throws Exception {
        Path db = dir.resolve("app.db");
        Path other = dir.resolve("other.db");
        Writers.insert(Kind.SHELL, db, 0, 10, 0);
        Writers.insert(Kind.SHELL, other, 100, 70, 0);
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        Process shell = null;
        try (Database d = new Database(Database.Options.defaults(db), Clock.systemUTC(), log)) {
            Replica replica = new Replica(d, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            d.sync();
            replica.sync();
            Writers.insert(Kind.SHELL, db, 10, 20, 0);
            d.sync();
            replica.sync();
            // a sqlite3 shell that keeps the database, its WAL and the WAL's index open
            shell = new ProcessBuilder("sqlite3", db.toString())
                    .redirectErrorStream(true)
                    .start();
            shell.getOutputStream().write("select count(*) from t;\n".getBytes(StandardCharsets.UTF_8));
            shell.getOutputStream().flush();
            java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("30", out.readLine(), "the shell has the database open");
            Files.move(other, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try {
                d.sync();
            } catch (java.io.IOException e) {
                // SQLite may find the old WAL over the new file malformed: what that process sees too
            }
            assertTrue(logText().contains("is open in another process"), logText());
        } finally {
            if (shell != null) {
                shell.destroy();
                shell.waitFor();
            }
        }
        try (var names = Files.list(dir)) {
            assertEquals(
                    0,
                    names.filter(p -> p.getFileName().toString().contains("before-replace"))
                            .count(),
                    "the WAL in use was not moved");
        }
    }

    /**
     * The database's path is a symbolic link, retargeted while replicating ({@code ln -sfn}): the database and its WAL
     * are followed to the new target together, in a new generation, and the old target is left as it is. The WAL
     * was found once, at start: the new target's snapshot was shipped and then the old target's WAL, every write to
     * the new one went unreplicated, and the newest generation restored to the old data or failed.
     */
    @Test
    void aLinkRetargetedWhileReplicatingIsFollowedWithItsWal() throws Exception {
        Path t1 = Files.createDirectories(dir.resolve("t1")).resolve("app.db");
        Path t2 = Files.createDirectories(dir.resolve("t2")).resolve("app.db");
        Path link = dir.resolve("app.db");
        Writers.insert(Kind.SHELL, t1, 0, 10, 0);
        Writers.insert(Kind.SHELL, t2, 100, 50, 0);
        Files.createSymbolicLink(link, t1);
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (Database d = new Database(Database.Options.defaults(link), Clock.systemUTC(), log)) {
            Replica replica = new Replica(d, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            d.sync();
            replica.sync();
            Writers.insert(Kind.SHELL, link, 10, 10, 0);
            d.sync();
            replica.sync();
            Path next = dir.resolve("app.db.next");
            Files.createSymbolicLink(next, t2);
            Files.move(next, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Writers.insert(Kind.SHELL, link, 150, 5, 0);
            d.sync();
            replica.sync();
            assertTrue(logText().contains("a symbolic link changed"), logText());
            Writers.insert(Kind.JDBC, link, 155, 5, 0);
            d.sync();
            replica.sync();
            assertEquals(null, d.syncError());
        }
        assertEquals(AppDb.range(0, 20), AppDb.liveIds(t1), "the old target, as it was");
        assertEquals(AppDb.range(100, 160), AppDb.liveIds(t2), "the new target");
        assertEquals(AppDb.range(100, 160), AppDb.ids(restoreOurs(client, "ours.db")));
        Path theirs = dir.resolve("theirs.db");
        new Litestream(dir, Map.of())
                .restore(theirs, client.root().toUri().toString())
                .requireSuccess("litestream restore");
        assertEquals(AppDb.range(100, 160), AppDb.ids(theirs));
    }

    /** A database in rollback-journal mode is switched to WAL, as Litestream does, and now a warning says so. */
    @Test
    void aRollbackJournalDatabaseIsSwitchedToWalWithAWarning() throws Exception {
        Path db = dir.resolve("app.db");
        Writers.sqlite3(db, "PRAGMA journal_mode=delete; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
        try (Database d = new Database(Database.Options.defaults(db), Clock.systemUTC(), log)) {
            d.sync();
        }
        assertTrue(logText().contains("database was not in WAL mode; switched it to WAL"), logText());
        assertTrue(logText().contains("journal_mode_was=delete"), logText());
        assertEquals("wal", Writers.sqlite3(db, "PRAGMA journal_mode;").strip());
    }

    @Test
    void aWalDeletedUnderTheReplicatorStartsANewGenerationAndLosesNothing() throws Exception {
        Path db = dir.resolve("app.db");
        Writers.insert(Kind.SHELL, db, 0, 10, 0);
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        try (Database d = new Database(Database.Options.defaults(db), Clock.systemUTC(), log)) {
            Replica replica = new Replica(d, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            d.sync();
            replica.sync();
            String first = d.position().generation();
            d.checkpoint(CheckpointMode.PASSIVE); // every committed page is in the database file now
            Files.delete(Path.of(db + "-wal"));
            Files.delete(Path.of(db + "-shm"));
            Writers.insert(Kind.SHELL, db, 10, 10, 0); // makes a new WAL and -shm
            d.sync();
            assertNotEquals(first, d.position().generation(), "a new generation after the WAL was replaced");
            assertTrue(logText().contains("reason=\"wal replaced by another process\""), logText());
            replica.sync();
            Writers.insert(Kind.JDBC, db, 20, 10, 0);
            d.sync();
            replica.sync();
            assertEquals(null, d.syncError());
            // and once more without a writer recreating it: the replicator's own write makes the new WAL
            d.checkpoint(CheckpointMode.PASSIVE);
            Files.delete(Path.of(db + "-wal"));
            d.sync();
            assertTrue(logText().contains("reason=\"wal deleted by another process\""), logText());
            Writers.insert(Kind.SHELL, db, 30, 5, 0);
            d.sync();
            replica.sync();
            assertEquals(3, client.generations().size(), client.generations().toString());
        }
        assertEquals(AppDb.range(0, 35), AppDb.liveIds(db), "the source database");
        assertEquals(AppDb.range(0, 35), AppDb.ids(restoreOurs(client, "ours.db")));
        Path theirs = dir.resolve("theirs.db");
        new Litestream(dir, Map.of())
                .restore(theirs, client.root().toUri().toString())
                .requireSuccess("litestream restore");
        assertEquals(AppDb.range(0, 35), AppDb.ids(theirs));
    }

    private Path restoreOurs(FileReplicaClient client, String name) throws Exception {
        Path out = dir.resolve(name);
        new Restorer(4, true, log)
                .restore(RestorePlanner.plan(Map.of("file", client), RestorePlanner.Target.latest()), out);
        return out;
    }

    private String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }
}
