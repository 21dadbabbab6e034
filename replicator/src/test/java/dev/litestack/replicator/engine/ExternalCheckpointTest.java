package dev.litestack.replicator.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.RestorePlanner.Target;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.testing.Workload;
import dev.litestack.replicator.testing.Workload.Content;
import dev.litestack.replicator.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application checkpoints on its own (PASSIVE, RESTART, TRUNCATE) while the replicator runs
 * or while it is down. While it runs, its read lock keeps every frame it has not copied in the
 * WAL, so continuity holds and there is one generation; while it is down, a TRUNCATE really does
 * lose the WAL, and exactly one new generation must follow.
 */
@Tag("integration")
class ExternalCheckpointTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String[] MODES = {"PASSIVE", "RESTART", "TRUNCATE"};

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.INFO, false, System.out);

    private ReplicationService service(Path db, FileReplicaClient client) {
        Database.Options d = Database.Options.defaults(db);
        Database database = new Database(
                new Database.Options(
                        d.path(),
                        d.metaPath(),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1),
                        16,
                        d.maxCheckpointPageCount()),
                Clock.systemUTC(),
                log);
        Replica replica = new Replica(
                database,
                client,
                new Replica.Options("file", Duration.ofMillis(50), Duration.ZERO, Duration.ZERO, Duration.ZERO),
                Clock.systemUTC(),
                log);
        return new ReplicationService(
                List.of(new ReplicationService.Entry(database, List.of(replica))), Clock.systemUTC(), log);
    }

    private Path restore(FileReplicaClient client, Target target, String name) throws Exception {
        Path out = dir.resolve(name);
        new Restorer(4, true, log).restore(RestorePlanner.plan(Map.of("file", client), target), out);
        return out;
    }

    @Test
    void appCheckpointsOfEveryModeWhileTheServiceRunsNeverBreakContinuity() throws Exception {
        Path db = dir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        Random random = new Random(seed);
        Map<String, int[]> outcomes = new TreeMap<>();
        Content source;
        try (Workload app = new Workload(db, seed)) {
            app.runFor(Duration.ofSeconds(1), 10);
            ReplicationService service = service(db, client);
            service.start(TIMEOUT);
            try {
                Database database = service.entries().get(0).db();
                Replica replica = service.runners().get(0).replica();
                for (int round = 0; round < 60; round++) {
                    int steps = 1 + random.nextInt(12);
                    for (int i = 0; i < steps; i++) {
                        app.step();
                        if (random.nextInt(4) == 0) {
                            String mode = MODES[random.nextInt(MODES.length)];
                            int[] r = app.checkpoint(mode, 1 + random.nextInt(30));
                            int[] tally = outcomes.computeIfAbsent(mode, k -> new int[3]);
                            tally[r == null ? 2 : r[0] == 0 ? 0 : 1]++;
                        }
                    }
                    if (round % 3 == 0) {
                        await("replica catches up")
                                .atMost(TIMEOUT)
                                .pollInterval(Duration.ofMillis(5))
                                .until(() -> database.position() != null
                                        && database.position().equals(replica.position()));
                    }
                }
                service.syncAll(TIMEOUT);
            } finally {
                service.close(TIMEOUT);
            }
            source = Workload.readLive(db);
        }
        outcomes.forEach((mode, t) -> System.out.println(
                "app checkpoint " + mode + ": " + t[0] + " done, " + t[1] + " busy, " + t[2] + " SQLITE_BUSY"));
        assertEquals(
                1,
                client.generations().size(),
                "no app checkpoint may look like lost continuity while the replicator holds its read lock: "
                        + client.generations());
        assertTrue(
                client.walSegments(client.generations().get(0)).stream()
                                .mapToLong(s -> s.index())
                                .max()
                                .orElse(0)
                        >= 3,
                "the checkpoints restarted the WAL several times");
        assertEquals(source, Workload.readImmutable(restore(client, Target.latest(), "restored.db")));
    }

    @Test
    void truncateWhileTheReplicatorIsDownStartsOneNewGenerationThatBothToolsRestore() throws Exception {
        Path db = dir.resolve("app.db");
        Path replicaDir = dir.resolve("replica");
        FileReplicaClient client = new FileReplicaClient(replicaDir);
        Content source;
        Content beforeTruncate;
        String first;
        String second;
        try (Workload app = new Workload(db, 7)) {
            app.runFor(Duration.ofSeconds(5), 30);
            ReplicationService service = service(db, client);
            service.start(TIMEOUT);
            try {
                app.runFor(Duration.ofSeconds(5), 200);
                service.syncAll(TIMEOUT);
                first = service.entries().get(0).db().position().generation();
            } finally {
                service.close(TIMEOUT);
            }
            beforeTruncate = Workload.readLive(db);
            int[] r = app.checkpoint("TRUNCATE", 1000);
            assertNotNull(r, "TRUNCATE with no replicator running");
            assertEquals(0, r[0], "TRUNCATE succeeded");
            assertEquals(0, Files.size(Path.of(db + "-wal")), "the WAL is empty");
            app.runFor(Duration.ofSeconds(5), 100);
            service = service(db, client);
            service.start(TIMEOUT);
            try {
                app.runFor(Duration.ofSeconds(5), 200);
                service.syncAll(TIMEOUT);
                Pos pos = service.entries().get(0).db().position();
                second = pos.generation();
            } finally {
                service.close(TIMEOUT);
            }
            source = Workload.readLive(db);
        }
        assertNotEquals(first, second, "continuity was lost while the replicator was down");
        assertEquals(List.of(first, second).stream().sorted().toList(), client.generations());

        Path ours = restore(client, Target.latest(), "ours.db");
        assertEquals(source, Workload.readImmutable(ours), "the new generation holds everything");
        Litestream litestream = new Litestream(dir, Map.of());
        Path theirs = dir.resolve("theirs.db");
        litestream.restore(theirs, "file://" + replicaDir.toAbsolutePath()).requireSuccess("litestream restore");
        assertEquals(-1L, Files.mismatch(theirs, ours), "Litestream picks the same generation, same bytes");

        Path oursOld = restore(client, new Target(first, null, null), "ours-first.db");
        assertEquals(beforeTruncate, Workload.readImmutable(oursOld), "the first generation ends where it was synced");
        Path theirsOld = dir.resolve("theirs-first.db");
        litestream
                .restore(theirsOld, "file://" + replicaDir.toAbsolutePath(), "-generation", first)
                .requireSuccess("litestream restore -generation " + first);
        assertEquals(-1L, Files.mismatch(theirsOld, oursOld), "both tools restore the first generation alike");
    }
}
