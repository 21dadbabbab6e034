package dev.litestack.replicator.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.testing.ReplicatorProcess;
import dev.litestack.replicator.testing.Workload;
import dev.litestack.replicator.testing.Workload.Content;
import dev.litestack.replicator.util.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicator, in a child JVM, is killed with SIGKILL at random moments while the application
 * (this test) writes, checkpoints and reopens its connection; then restarted. After every kill the
 * replica must restore to a database that passes integrity_check and holds a dense prefix of the
 * committed rows, containing at least every row committed before the last acknowledged sync.
 * The seed is printed; rerun one with {@code -Dcrash.seed=<seed>}.
 */
@Tag("integration")
class CrashSafetyTest {

    private static final int CYCLES = 10;
    private static final int MAX_TRANSACTIONS_PER_CYCLE = 500;
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.INFO, false, System.out);

    @Test
    void sigkillAtRandomMomentsNeverCorruptsTheReplicaNorLosesSyncedRows() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("crash test seed " + seed + " (rerun with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path db = dir.resolve("app.db");
        Path replicaDir = dir.resolve("replica");
        Path childLog = dir.resolve("replicator-child.log");
        FileReplicaClient client = new FileReplicaClient(replicaDir);
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        Litestream litestream = new Litestream(dir, Map.of());
        int synced = 0;
        try (Workload app = new Workload(db, seed)) {
            app.runFor(Duration.ofSeconds(1), 10);
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                ReplicatorProcess child = ReplicatorProcess.start(db, replicaDir, 16, childLog);
                assertEquals("READY", child.nextLine(LINE_TIMEOUT), childOutput(childLog));
                int writeMillis = 400 + random.nextInt(2600);
                int killAfter = random.nextInt(writeMillis);
                System.out.println(
                        "cycle " + cycle + ": write " + writeMillis + " ms, SIGKILL after " + killAfter + " ms");
                killer.schedule(
                        () -> {
                            child.kill();
                            return null;
                        },
                        killAfter,
                        TimeUnit.MILLISECONDS);
                synced = writeAndSync(app, child, random, writeMillis, synced);
                child.kill();
                Content restored = restore(client, "after-kill-" + cycle + ".db");
                restored.assertPrefix(synced, app.committed(), "restore after kill " + cycle + " (seed " + seed + ")");
                Path theirs = dir.resolve("after-kill-" + cycle + "-litestream.db");
                litestream
                        .restore(theirs, "file://" + replicaDir.toAbsolutePath())
                        .requireSuccess("litestream restore after kill " + cycle);
                assertEquals(
                        -1L,
                        Files.mismatch(dir.resolve("after-kill-" + cycle + ".db"), theirs),
                        "Litestream restores the killed replicator's replica to the same bytes (seed " + seed + ")");
                System.out.println("cycle " + cycle + ": committed " + app.committed() + ", synced " + synced
                        + ", restored " + restored.rows() + ", generations "
                        + client.generations().size());
            }
            ReplicatorProcess child = ReplicatorProcess.start(db, replicaDir, 16, childLog);
            assertEquals("READY", child.nextLine(LINE_TIMEOUT), childOutput(childLog));
            assertTrue(child.send("sync"));
            String reply = child.nextLine(LINE_TIMEOUT);
            assertTrue(
                    reply != null && reply.startsWith("SYNCED "),
                    "final sync: " + reply + "\n" + childOutput(childLog));
            assertEquals(0, child.stop(LINE_TIMEOUT), childOutput(childLog));
            Content source = Workload.readLive(db);
            source.assertPrefix(app.committed(), app.committed(), "source");
            assertEquals(source, restore(client, "final.db"), "after a clean stop the replica holds everything");
            Path theirs = dir.resolve("final-litestream.db");
            litestream
                    .restore(theirs, "file://" + replicaDir.toAbsolutePath())
                    .requireSuccess("litestream restore of the crash-tested replica");
            assertEquals(source, Workload.readImmutable(theirs), "Litestream restores the crash-tested replica too");
        } finally {
            killer.shutdownNow();
        }
    }

    @Test
    void restartAfterSigkillContinuesTheGenerationWhileTheWalIsIntact() throws Exception {
        Path db = dir.resolve("app.db");
        Path replicaDir = dir.resolve("replica");
        Path childLog = dir.resolve("replicator-child.log");
        FileReplicaClient client = new FileReplicaClient(replicaDir);
        try (Workload app = new Workload(db, 42)) {
            app.runFor(Duration.ofSeconds(5), 50);
            ReplicatorProcess first = ReplicatorProcess.start(db, replicaDir, 1000, childLog);
            assertEquals("READY", first.nextLine(LINE_TIMEOUT), childOutput(childLog));
            app.runFor(Duration.ofSeconds(5), 50);
            assertTrue(first.send("sync"));
            String reply = first.nextLine(LINE_TIMEOUT);
            assertTrue(reply != null && reply.startsWith("SYNCED "), "sync: " + reply);
            String generation = reply.substring("SYNCED ".length(), "SYNCED ".length() + 16);
            app.runFor(Duration.ofSeconds(5), 50);
            first.kill();
            app.runFor(Duration.ofSeconds(5), 50);
            ReplicatorProcess second = ReplicatorProcess.start(db, replicaDir, 1000, childLog);
            assertEquals("READY", second.nextLine(LINE_TIMEOUT), childOutput(childLog));
            assertEquals(0, second.stop(LINE_TIMEOUT), childOutput(childLog));
            assertEquals(
                    java.util.List.of(generation),
                    client.generations(),
                    "the WAL was not reset while the replicator was down: same generation");
            Content source = Workload.readLive(db);
            assertEquals(source, restore(client, "restored.db"), "frames written around the kill are replicated");
        }
    }

    /**
     * Writes for {@code millis} (at most {@link #MAX_TRANSACTIONS_PER_CYCLE} transactions), mixing
     * in syncs through the child, app checkpoints and reconnects. Returns the number of rows
     * committed before the last sync the child acknowledged.
     */
    private int writeAndSync(Workload app, ReplicatorProcess child, Random random, int millis, int synced)
            throws Exception {
        long end = System.nanoTime() + Duration.ofMillis(millis).toNanos();
        boolean childAlive = true;
        int transactions = 0;
        while (System.nanoTime() < end && transactions < MAX_TRANSACTIONS_PER_CYCLE) {
            int action = random.nextInt(100);
            if (action < 84) {
                app.step();
                transactions++;
            } else if (action < 94) {
                if (childAlive) {
                    int committedBefore = app.committed();
                    String reply = child.send("sync") ? child.nextLine(LINE_TIMEOUT) : null;
                    if (reply == null) {
                        childAlive = false;
                    } else {
                        assertTrue(reply.startsWith("SYNCED "), "sync reply: " + reply);
                        synced = committedBefore;
                    }
                }
            } else if (action < 96) {
                app.reopen();
            } else if (action < 98) {
                app.checkpoint("PASSIVE", 50);
            } else {
                app.checkpoint(random.nextBoolean() ? "TRUNCATE" : "RESTART", 50);
            }
        }
        return synced;
    }

    private Content restore(FileReplicaClient client, String name) throws Exception {
        Path out = dir.resolve(name);
        new Restorer(4, true, log)
                .restore(RestorePlanner.plan(Map.of("file", client), RestorePlanner.Target.latest()), out);
        Content c = Workload.readImmutable(out);
        assertNotNull(c);
        return c;
    }

    private static String childOutput(Path childLog) throws Exception {
        return Files.exists(childLog)
                ? "replicator child log:\n" + Files.readString(childLog, StandardCharsets.UTF_8)
                : "";
    }
}
