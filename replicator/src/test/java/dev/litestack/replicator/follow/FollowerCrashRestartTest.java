package dev.litestack.replicator.follow;

import static dev.litestack.replicator.follow.FollowHarness.ROWS;
import static dev.litestack.replicator.follow.FollowHarness.rows;
import static dev.litestack.replicator.follow.FollowHarness.write;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.restore.IntegrityCheck;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower killed at each step of applying a batch (its files copied as the crash left them)
 * restarts on those files: SQLite rolls the hot journal back, the follower resumes from its saved
 * position without restoring again, and catches up to the primary.
 */
@Tag("integration")
class FollowerCrashRestartTest {

    @TempDir
    Path dir;

    private static Follower follower(Path replica, Path out, Log log) {
        return new Follower(
                Map.of("file", new FileReplicaClient(replica)),
                out,
                new Follower.Options(
                        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5), 2, IntegrityCheck.FULL),
                log,
                Clock.systemUTC());
    }

    private static void catchUp(Follower f, Path out, long rows) {
        await("follower reaches " + rows + " rows")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    f.poll();
                    return rows(out) == rows;
                });
    }

    @Test
    void restartsAfterACrashAtEachStepOfABatch() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Path out = dir.resolve("follower/app.db");
        Litestream.Running primary = FollowHarness.litestreamPrimary(dir, db, replica);
        Log log = new Log(Log.Level.INFO, false, System.out);
        try {
            write(db, 1, 10);
            FollowHarness.awaitGeneration(replica);
            Map<FollowedDb.Step, Path> crashes = new EnumMap<>(FollowedDb.Step.class);
            try (Follower f = follower(replica, out, log)) {
                f.start();
                catchUp(f, out, 10L * ROWS);
                f.faultHook(step -> {
                    if (!crashes.containsKey(step)) {
                        Path c = Files.createDirectories(dir.resolve("crash-" + step));
                        Files.copy(out, c.resolve("app.db"));
                        Files.copy(FollowState.fileOf(out), FollowState.fileOf(c.resolve("app.db")));
                        if (Files.exists(FollowedDb.journalOf(out))) {
                            Files.copy(FollowedDb.journalOf(out), FollowedDb.journalOf(c.resolve("app.db")));
                        }
                        crashes.put(step, c);
                    }
                });
                write(db, 11, 20);
                catchUp(f, out, 20L * ROWS);
            }
            assertEquals(FollowedDb.Step.values().length, crashes.size());
            for (Map.Entry<FollowedDb.Step, Path> e : crashes.entrySet()) {
                Path copy = e.getValue().resolve("app.db");
                boolean hot = e.getKey() != FollowedDb.Step.JOURNAL_DELETED;
                assertEquals(
                        hot,
                        Files.exists(FollowedDb.journalOf(copy)),
                        e.getKey().toString());
                ByteArrayOutputStream logged = new ByteArrayOutputStream();
                try (Follower f = follower(
                        replica,
                        copy,
                        new Log(Log.Level.INFO, false, new PrintStream(logged, true, StandardCharsets.UTF_8)))) {
                    f.start();
                    assertFalse(Files.exists(FollowedDb.journalOf(copy)), "hot journal rolled back at start");
                    long rows = rows(copy);
                    assertTrue(rows == 10L * ROWS || (!hot && rows > 10L * ROWS), e.getKey() + ": " + rows);
                    catchUp(f, copy, 20L * ROWS);
                }
                String text = logged.toString(StandardCharsets.UTF_8);
                assertTrue(text.contains("follow: resuming"), text);
                assertFalse(text.contains("follow: restored"), e.getKey() + " restored again:\n" + text);
            }
        } finally {
            primary.stop(Duration.ofSeconds(30));
        }
    }

    /** An output path that is a link to a file not there yet (a volume linked into place): the file it names is written. */
    @Test
    void followsIntoTheFileASymbolicLinkNames() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Path volume = Files.createDirectories(dir.resolve("volume"));
        Path link = Files.createSymbolicLink(
                Files.createDirectories(dir.resolve("follower")).resolve("app.db"), volume.resolve("app.db"));
        Litestream.Running primary = FollowHarness.litestreamPrimary(dir, db, replica);
        try {
            write(db, 1, 5);
            FollowHarness.awaitGeneration(replica);
            try (Follower f = follower(replica, link, new Log(Log.Level.INFO, false, System.out))) {
                f.start();
                catchUp(f, link, 5L * ROWS);
                write(db, 6, 8);
                catchUp(f, link, 8L * ROWS);
            }
            assertTrue(Files.isSymbolicLink(link), "the link is kept");
            assertEquals(8L * ROWS, rows(volume.resolve("app.db")));
        } finally {
            primary.stop(Duration.ofSeconds(30));
        }
    }

    /**
     * Litestream's retention deletes the WAL indexes after the follower's position while it does
     * not poll: the follower must restore again, not jump to the next index listed (the deleted
     * index could have gone on past the position).
     */
    @Test
    void restoresAgainWhenRetentionDeletedTheSegmentsAfterItsPosition() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Path out = dir.resolve("follower/app.db");
        Litestream.Running primary = FollowHarness.litestreamPrimary(
                dir, db, replica, "snapshot-interval: 1s", "retention: 1s", "retention-check-interval: 1s");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log log = new Log(Log.Level.INFO, false, new PrintStream(logged, true, StandardCharsets.UTF_8));
        try (Follower f = follower(replica, out, log)) {
            write(db, 1, 3);
            FollowHarness.awaitGeneration(replica);
            f.start();
            catchUp(f, out, 3L * ROWS);
            dev.litestack.replicator.Pos at = f.applied();
            Path wal = replica.resolve("generations").resolve(at.generation()).resolve("wal");
            String prefix = String.format("%08x_", at.index());
            int[] written = {3};
            await("retention deleted index " + at.index())
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> {
                        write(db, written[0] + 1, written[0] + 1);
                        written[0]++;
                        try (var files = Files.list(wal)) {
                            return files.noneMatch(
                                    p -> p.getFileName().toString().startsWith(prefix));
                        }
                    });
            catchUp(f, out, (long) written[0] * ROWS);
            // the first restore and at least one more; with a 1 s retention and a busy machine,
            // retention may overtake the follower again after that second restore
            assertTrue(f.restores() >= 2, logged.toString(StandardCharsets.UTF_8));
            assertTrue(
                    logged.toString(StandardCharsets.UTF_8).contains("are gone (retention?), restoring again"),
                    logged.toString(StandardCharsets.UTF_8));
        } finally {
            primary.stop(Duration.ofSeconds(30));
        }
    }
}
