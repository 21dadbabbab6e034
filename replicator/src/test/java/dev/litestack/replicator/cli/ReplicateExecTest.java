package dev.litestack.replicator.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.EngineReplica;
import dev.litestack.replicator.testing.WriterChild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replicate -exec} as a real process with real children: exit codes, signal forwarding, final sync. */
@Tag("integration")
class ReplicateExecTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path db;
    private Path rep;
    private String url;

    @BeforeEach
    void paths() {
        db = dir.resolve("app.db");
        rep = dir.resolve("rep");
        url = rep.toUri().toString();
    }

    private Path restored(String name) throws Exception {
        Path out = dir.resolve(name);
        Cli.Result r = Cli.run("restore", "-o", out.toString(), url);
        assertEquals(0, r.code(), r.toString());
        return out;
    }

    @Test
    void childExitCodeBecomesOursAfterAFinalSync() throws Exception {
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 10);
        }
        Cli.Result r = Cli.exec(dir, "replicate", "-exec", "sh -c 'exit 3'", db.toString(), url);
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.out().contains("msg=\"exec process exited, shutting down\" exit_code=3"), r.out());
        assertTrue(r.out().contains("msg=\"shut down\" exit_code=3"), r.out());
        assertEquals(AppDb.range(0, 10), AppDb.ids(restored("out.db")));
    }

    @Test
    void childExitZeroGivesZero() throws Exception {
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 3);
        }
        Cli.Result r = Cli.exec(dir, "replicate", "-exec", "sh -c \"exit 0\"", db.toString(), url);
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, 3), AppDb.ids(restored("out.db")));
    }

    @Test
    void sigtermIsForwardedAndTheChildsCodeReturned() throws Exception {
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 5);
        }
        Path script = dir.resolve("child.sh");
        Path ready = dir.resolve("ready");
        Path got = dir.resolve("got-term");
        Files.writeString(
                script,
                "trap 'echo TERM > \"$2\"; exit 7' TERM\n"
                        + "echo ready > \"$1\"\n"
                        + "while :; do sleep 1 & wait $!; done\n");
        Process p = Cli.start(dir, "replicate", "-exec", "sh " + script + " " + ready + " " + got, db.toString(), url);
        await().atMost(DEADLINE).until(() -> Files.exists(ready) || !p.isAlive());
        assertTrue(p.isAlive(), Cli.output(dir));
        p.destroy();
        Cli.Result r = Cli.await(p, dir);
        assertEquals(7, r.code(), r.toString());
        assertEquals("TERM", Files.readString(got).strip(), "the child received SIGTERM");
        assertTrue(r.out().contains("msg=\"signal received, forwarding to exec process\" signal=TERM"), r.out());
        assertEquals(AppDb.range(0, 5), AppDb.ids(restored("out.db")));
    }

    @Test
    void finalSyncCapturesTheChildsLastWrites() throws Exception {
        try (AppDb app = new AppDb(db)) {
            app.exec("SELECT 1");
        }
        Path ready = dir.resolve("ready");
        Path last = dir.resolve("last-id");
        String child = String.join(
                " ",
                Cli.javaCommand(WriterChild.class.getName(), db.toString(), ready.toString(), last.toString()).stream()
                        .map(a -> "'" + a + "'")
                        .toList());
        Process p = Cli.start(dir, "replicate", "-exec", child, db.toString(), url);
        await().atMost(DEADLINE).until(() -> Files.exists(ready) || !p.isAlive());
        assertTrue(p.isAlive(), Cli.output(dir));
        p.destroy();
        Cli.Result r = Cli.await(p, dir);
        assertEquals(0, r.code(), r.toString());
        int lastId = Integer.parseInt(Files.readString(last).strip());
        assertTrue(lastId >= 49, "the child committed at least 50 rows: " + lastId);
        assertTrue(r.out().contains("writer stopped after id " + lastId), r.out());
        assertEquals(AppDb.range(0, lastId + 1), AppDb.ids(restored("out.db")), "every committed row was shipped");
    }

    @Test
    void aMissingCommandFailsWith127() throws Exception {
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 1);
        }
        Cli.Result r = Cli.exec(dir, "replicate", "-exec", "no-such-command-xyz --flag", db.toString(), url);
        assertEquals(127, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: cannot start exec command no-such-command-xyz: "), r.err());
    }

    @Test
    void restoreIfDbNotExistsRestoresFirst() throws Exception {
        EngineReplica.Built b = EngineReplica.build(db, rep, 2, 4);
        deleteDb();
        Cli.Result r = Cli.exec(
                dir, "replicate", "-restore-if-db-not-exists", "-exec", "sh -c \"exit 0\"", db.toString(), url);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("database restored before replicating"), r.out());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(db));
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(restored("again.db")), "replication continued");
    }

    @Test
    void restoreIfDbNotExistsRestoresOverAnEmptyFile() throws Exception {
        EngineReplica.Built b = EngineReplica.build(db, rep, 2, 4);
        deleteDb();
        Files.write(db, new byte[0]); // what the sqlite3 shell leaves when it opens a missing path
        Cli.Result r = Cli.exec(
                dir, "replicate", "-restore-if-db-not-exists", "-exec", "sh -c \"exit 0\"", db.toString(), url);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("database restored before replicating"), r.out());
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(db));
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(restored("again.db")), "the replica's data, not an empty db");
    }

    /**
     * A replica whose generation lost its snapshot still holds data: the boot fails (the app is not started)
     * instead of starting empty, which would begin a new generation and let retention delete the old one.
     */
    @Test
    void restoreIfDbNotExistsRefusesAReplicaWhoseSnapshotIsGone() throws Exception {
        EngineReplica.Built b = EngineReplica.build(db, rep, 2, 4);
        deleteDb();
        Path gen = rep.resolve("generations").resolve(b.generation());
        dev.litestack.replicator.util.FileTrees.delete(gen.resolve("snapshots"));
        Path started = dir.resolve("started");
        Cli.Result r = Cli.exec(
                dir, "replicate", "-restore-if-db-not-exists", "-exec", "touch " + started, db.toString(), url);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains(b.generation() + " of replica file has WAL segments but no snapshot"), r.err());
        assertFalse(Files.exists(started), "the application was not started");
        assertFalse(Files.exists(db));
        try (Stream<Path> gens = Files.list(rep.resolve("generations"))) {
            assertEquals(
                    java.util.List.of(b.generation()),
                    gens.map(p -> p.getFileName().toString()).toList(),
                    "no new generation");
        }
    }

    /** The boot path with the database already there removes what a restore killed at an earlier boot left. */
    @Test
    void restoreIfDbNotExistsRemovesAKilledRestoresWorkFolderWhenTheDatabaseIsThere() throws Exception {
        EngineReplica.Built b = EngineReplica.build(db, rep, 2, 4);
        Path killed = Files.createDirectories(db.resolveSibling("." + db.getFileName() + ".restore-0123456789ab"));
        Files.write(killed.resolve("lock"), new byte[0]);
        Cli.Result r = Cli.exec(
                dir, "replicate", "-restore-if-db-not-exists", "-exec", "sh -c \"exit 0\"", db.toString(), url);
        assertEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(killed));
        assertEquals(AppDb.range(0, b.rows()), AppDb.ids(restored("again.db")));
    }

    @Test
    void restoreIfDbNotExistsWithoutAReplicaStartsEmpty() throws Exception {
        Cli.Result r = Cli.exec(
                dir, "replicate", "-restore-if-db-not-exists", "-exec", "sh -c \"exit 0\"", db.toString(), url);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("no backup to restore, starting with an empty database"), r.out());
        assertFalse(Files.exists(db), "nothing to restore: the application creates the database");
    }

    @Test
    void everyMissingDatabaseIsRestoredAndAFailureNamesItsDatabase() throws Exception {
        Path db2 = dir.resolve("two.db");
        Path rep2 = dir.resolve("rep2");
        EngineReplica.Built one = EngineReplica.build(db, rep, 2, 4);
        EngineReplica.Built two = EngineReplica.build(db2, rep2, 3, 5);
        deleteDb();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db2 + suffix));
        }
        dev.litestack.replicator.util.FileTrees.delete(dir.resolve(".two.db-litestream"));
        Path config = dir.resolve("two-dbs.yml");
        Files.writeString(
                config,
                "dbs:\n"
                        + "  - path: " + db + "\n    restore-if-db-not-exists: true\n    replicas:\n      - url: " + url
                        + "\n"
                        + "  - path: " + db2 + "\n    restore-if-db-not-exists: true\n    replicas:\n      - url: "
                        + rep2.toUri() + "\n");
        Cli.Result r = Cli.exec(dir, "replicate", "-config", config.toString(), "-exec", "sh -c \"exit 0\"");
        assertEquals(0, r.code(), r.toString());
        assertEquals(AppDb.range(0, one.rows()), AppDb.ids(db));
        assertEquals(AppDb.range(0, two.rows()), AppDb.ids(db2));

        // The second replica's newest snapshot is damaged: its restore fails and says which database.
        deleteDb();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db2 + suffix));
        }
        dev.litestack.replicator.util.FileTrees.delete(dir.resolve(".two.db-litestream"));
        dev.litestack.replicator.replica.file.FileReplicaClient c2 =
                new dev.litestack.replicator.replica.file.FileReplicaClient(rep2);
        String gen = c2.generations().get(c2.generations().size() - 1);
        long idx = c2.snapshots(gen).get(c2.snapshots(gen).size() - 1).index();
        Path snap = rep2.resolve(dev.litestack.replicator.replica.ReplicaLayout.snapshotKey(gen, idx));
        byte[] bytes = Files.readAllBytes(snap);
        for (int i = bytes.length / 2; i < bytes.length; i++) {
            bytes[i] ^= 0x5a;
        }
        Files.write(snap, bytes);
        r = Cli.exec(dir, "replicate", "-config", config.toString(), "-exec", "sh -c \"exit 0\"");
        assertTrue(r.code() != 0, r.toString());
        assertTrue(r.err().contains("cannot restore " + db2 + " before replicating"), r.toString());
        assertFalse(Files.exists(db2), "no partial database is left");
    }

    private void deleteDb() throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        Path meta = dir.resolve(".app.db-litestream");
        if (Files.exists(meta)) {
            try (Stream<Path> s = Files.walk(meta)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
