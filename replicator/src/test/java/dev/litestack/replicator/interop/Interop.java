package dev.litestack.replicator.interop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.Workload;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** What the interop tests share: our side of the exchange (engine and restore) and replica inspection. */
final class Interop {

    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger RESTORES = new AtomicInteger();

    private Interop() {}

    /**
     * Our engine for one database and one replica, tuned so a few seconds of writes span several
     * WAL indexes (checkpoint every 16 pages), several segments (sync every 100 ms) and several
     * snapshots (every second). Retention is off so every object stays for the restores.
     */
    static ReplicationService service(Path db, ReplicaClient client, Log log) {
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
        database.checkpointAtEveryThreshold(); // the workloads write in bursts and count WAL indexes
        Replica replica = new Replica(
                database,
                client,
                new Replica.Options(
                        client.type(), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO),
                Clock.systemUTC(),
                log);
        return new ReplicationService(
                List.of(new ReplicationService.Entry(database, List.of(replica))), Clock.systemUTC(), log);
    }

    /**
     * Writes {@code bursts} bursts of transactions and, after each, waits until the replica holds
     * a new WAL segment, so the writes interleave with many syncs and checkpoints whatever the
     * machine's speed. Returns the number of committed rows.
     */
    static int writeInBursts(Workload app, ReplicaClient client, int bursts) throws Exception {
        for (int i = 0; i < bursts; i++) {
            int before = segmentCount(client);
            app.runFor(Duration.ofMillis(500), 60);
            await("a new wal segment on " + client.describe())
                    .atMost(SYNC_TIMEOUT)
                    .pollInterval(Duration.ofMillis(20))
                    .ignoreExceptions()
                    .until(() -> segmentCount(client) > before);
        }
        return app.committed();
    }

    private static int segmentCount(ReplicaClient client) throws IOException {
        int n = 0;
        for (String g : client.generations()) {
            n += client.walSegments(g).size();
        }
        return n;
    }

    /** Restores with our planner and restorer into {@code out}. */
    static Path restore(ReplicaClient client, RestorePlanner.Target target, Path out, Log log) throws IOException {
        new Restorer(4, true, log).restore(RestorePlanner.plan(Map.of(client.type(), client), target), out);
        return out;
    }

    /** Reads something from a restored database file. */
    interface RestoredReader<T> {
        T read(Path db) throws Exception;
    }

    /** Restores the latest state into a fresh file under {@code dir}, reads it and deletes the file. */
    static <T> T readLatest(ReplicaClient client, Path dir, Log log, RestoredReader<T> reader) throws Exception {
        Path out = dir.resolve("poll-" + RESTORES.incrementAndGet() + ".db");
        try {
            return reader.read(restore(client, RestorePlanner.Target.latest(), out, log));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Restores the latest state into a fresh file under {@code dir} and returns its {@link Workload} row count. */
    static int restoredRows(ReplicaClient client, Path dir, Log log) throws Exception {
        return readLatest(client, dir, log, db -> Workload.readImmutable(db).rows());
    }

    /** The only generation on the replica. */
    static String onlyGeneration(ReplicaClient client) throws IOException {
        List<String> gens = client.generations();
        assertEquals(1, gens.size(), "generations on " + client.describe() + ": " + gens);
        return gens.get(0);
    }

    /** WAL indexes present in a generation, ascending and distinct. */
    static List<Long> indexes(ReplicaClient client, String generation) throws IOException {
        return client.walSegments(generation).stream()
                .map(WalSegmentInfo::index)
                .distinct()
                .sorted()
                .toList();
    }

    /**
     * An index strictly inside the generation's range, above the lowest snapshot (so a point-in-time
     * restore to it is possible) and below the last index (so it is a real cut).
     */
    static long middleIndex(ReplicaClient client, String generation) throws IOException {
        List<Long> idx = indexes(client, generation);
        long firstSnapshot = client.snapshots(generation).get(0).index();
        List<Long> usable = idx.stream()
                .filter(i -> i >= firstSnapshot && i < idx.get(idx.size() - 1))
                .toList();
        assertTrue(
                usable.size() >= 2,
                "want several WAL indexes to cut in, have " + idx + " (first snapshot " + firstSnapshot + ")");
        return usable.get(usable.size() / 2);
    }

    static void assertSameBytes(Path expected, Path actual, String what) throws IOException {
        long at = Files.mismatch(expected, actual);
        assertEquals(
                -1L,
                at,
                what + ": " + expected.getFileName() + " (" + Files.size(expected) + " bytes) and "
                        + actual.getFileName() + " (" + Files.size(actual) + " bytes) differ at byte " + at);
    }

    static String fileUrl(Path dir) {
        return "file://" + dir.toAbsolutePath();
    }
}
