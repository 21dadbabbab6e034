package dev.litestack.replicator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.db.CheckpointMode;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.ForwardingReplicaClient;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.testing.ManualScheduler;
import dev.litestack.replicator.testing.MutableClock;
import dev.litestack.replicator.util.FileTrees;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica's timed behaviour on a clock and scheduler the test advances: retry backoff,
 * snapshot-interval, retention and validation-interval. No test here waits out real time.
 */
@Tag("integration")
class ReplicaRunnerTest {

    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final Log log = new Log(Log.Level.DEBUG, false, new PrintStream(logBytes, true, StandardCharsets.UTF_8));

    private AppDb app;
    private Database db;
    private int rows;

    @AfterEach
    void close() throws Exception {
        scheduler.close();
        if (db != null) {
            db.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private Path dbPath() {
        return dir.resolve("app.db");
    }

    private Database open() {
        return new Database(Database.Options.defaults(dbPath()), clock, log);
    }

    private void write(int n) throws Exception {
        app.insert(rows, rows + n);
        rows += n;
        db.sync();
    }

    private ReplicaRunner runner(
            dev.litestack.replicator.replica.ReplicaClient client,
            Duration snapshotInterval,
            Duration retention,
            Duration retentionCheck,
            Duration validation) {
        Replica replica = new Replica(
                db,
                client,
                new Replica.Options(
                        "file", Duration.ofSeconds(1), snapshotInterval, retention, retentionCheck, validation),
                clock,
                log);
        ReplicaRunner runner = new ReplicaRunner(replica, scheduler, log);
        db.addListener(runner::onChange);
        return runner;
    }

    /**
     * Uploads fail while listings work (a bucket refusing PUTs): each retry learns the replica's position again, which
     * was logged at INFO every time (a line per retry); now once, and again only if it moved.
     */
    @Test
    void aPositionLearnedAgainAtEveryRetryIsLoggedOnce() throws Exception {
        app = new AppDb(dbPath());
        db = open();
        write(10);
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean();
        dev.litestack.replicator.replica.ReplicaClient client =
                refusingUploads(() -> refuse.get() ? new java.io.IOException("uploads refused") : null);
        ReplicaRunner runner = runner(client, Duration.ZERO, Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
        runner.start();
        scheduler.runDue();
        stepUntil(runner::healthy);
        refuse.set(true);
        write(5);
        for (int failures = 1; failures <= 4; failures++) {
            long before = errors(runner);
            stepUntil(() -> errors(runner) > before);
        }
        long infoLines = logText()
                .lines()
                .filter(l -> l.contains("level=INFO") && l.contains("msg=\"replica position\""))
                .count();
        assertTrue(infoLines <= 2, "replica position at INFO " + infoLines + " times:\n" + logText());
        refuse.set(false);
        stepUntil(runner::healthy);
    }

    @Test
    void failedSyncsRetryWithCappedExponentialBackoffThenRecover() throws Exception {
        app = new AppDb(dbPath());
        db = open();
        write(10);
        Path replicaDir = dir.resolve("replica");
        Files.writeString(replicaDir, "not a folder"); // every write to the replica fails
        ReplicaRunner runner = runner(
                new FileReplicaClient(replicaDir, clock),
                Duration.ZERO,
                Duration.ZERO,
                Duration.ofHours(1),
                Duration.ZERO);
        runner.start();
        scheduler.runDue();
        assertEquals(1, errors(runner));
        assertFalse(runner.healthy());
        assertTrue(
                runner.lastError() != null && runner.lastError().contains(replicaDir.toString()), runner.lastError());

        Instant last = clock.instant();
        for (int failures = 1; failures <= 8; failures++) {
            long before = errors(runner);
            Instant attempt = stepUntil(() -> errors(runner) > before);
            long base = Math.min(30_000, 1000L << (failures - 1));
            long gap = Duration.between(last, attempt).toMillis();
            assertTrue(
                    gap >= base * 9 / 10 - STEP_MS && gap <= base * 11 / 10 + STEP_MS,
                    "retry " + failures + " came after " + gap + " ms; the backoff is " + base + " ms +-10 %");
            assertFalse(runner.healthy());
            last = attempt;
        }
        assertTrue(runner.lagSeconds() >= 90, "the lag runs on while the replica fails: " + runner.lagSeconds());
        assertEquals(1, lines("replica sync failed"), "one error line for the whole outage:\n" + logText());

        Files.delete(replicaDir);
        write(5);
        stepUntil(runner::healthy);
        assertTrue(Duration.between(last, clock.instant()).compareTo(Duration.ofSeconds(33)) <= 0);
        assertEquals(1, lines("replica sync recovered"), logText());
        scheduler.advance(Duration.ofSeconds(2));
        assertEquals(db.position(), runner.replica().position(), "everything shipped after the recovery");
        assertEquals(0.0, runner.lagSeconds());
        assertEquals(AppDb.range(0, rows), AppDb.ids(restore(new FileReplicaClient(replicaDir), "out.db")));
    }

    /**
     * Writes refused for want of the lease (another replicator held it) are retried at the lease's poll interval, not
     * after the backoff: with the backoff at its 30 s cap, a replicator took its lease back up to 30 s after the holder
     * died, uploading nothing meanwhile.
     */
    @Test
    void writesRefusedForWantOfTheLeaseAreRetriedAtTheLeasesPollInterval() throws Exception {
        app = new AppDb(dbPath());
        db = open();
        write(10);
        java.util.concurrent.atomic.AtomicBoolean leased = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.litestack.replicator.replica.ReplicaClient client = refusingUploads(() -> leased.get()
                ? null
                : new dev.litestack.replicator.replica.LeaseNotHeldException(
                        "not writing: this replicator does not hold its lease", Duration.ofSeconds(1)));
        ReplicaRunner runner = runner(client, Duration.ZERO, Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
        runner.start();
        scheduler.runDue();
        stepUntil(runner::healthy);
        leased.set(false);
        write(5);
        long first = errors(runner);
        stepUntil(() -> errors(runner) > first);
        Instant last = clock.instant();
        for (int failures = 1; failures <= 8; failures++) {
            long before = errors(runner);
            Instant attempt = stepUntil(() -> errors(runner) > before);
            long gap = Duration.between(last, attempt).toMillis();
            assertTrue(gap <= 1000 + STEP_MS, "retry " + failures + " came after " + gap + " ms, not the lease's 1 s");
            last = attempt;
        }
        leased.set(true);
        stepUntil(runner::healthy);
        assertTrue(Duration.between(last, clock.instant()).toMillis() <= 1000 + STEP_MS);
    }

    private static final long STEP_MS = 50;

    /** A file replica whose WAL uploads fail with what {@code refusal} gives (null: the upload goes through). */
    private dev.litestack.replicator.replica.ReplicaClient refusingUploads(
            java.util.function.Supplier<java.io.IOException> refusal) {
        return new dev.litestack.replicator.replica.ForwardingReplicaClient(
                new FileReplicaClient(dir.resolve("replica"), clock)) {
            @Override
            public dev.litestack.replicator.replica.WalSegmentInfo writeWalSegment(
                    dev.litestack.replicator.Pos pos, java.io.InputStream body) throws java.io.IOException {
                java.io.IOException refused = refusal.get();
                if (refused != null) {
                    throw refused;
                }
                return super.writeWalSegment(pos, body);
            }
        };
    }

    private static long errors(ReplicaRunner r) {
        return r.replica().stats().syncErrors();
    }

    /** Advances the clock in small steps until {@code done}; returns the time it became true. */
    private Instant stepUntil(java.util.function.BooleanSupplier done) {
        for (int i = 0; i < 2_000; i++) {
            scheduler.advance(Duration.ofMillis(STEP_MS));
            if (done.getAsBoolean()) {
                return clock.instant();
            }
        }
        throw new AssertionError("not reached within 100 s of the test clock:\n" + logText());
    }

    /**
     * While the app keeps writing, the monitor copies the WAL only once per monitor-interval; an
     * upload copies the commits made since then itself, so they are not left for the next one.
     */
    @Test
    void anUploadCarriesCommitsTheMonitorHasNotCopiedYet() throws Exception {
        app = new AppDb(dbPath());
        db = open();
        write(10);
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"), clock);
        ReplicaRunner runner = runner(client, Duration.ZERO, Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
        runner.start();
        scheduler.runDue();
        assertEquals(db.position(), runner.replica().position(), "the first upload");
        write(5); // copied by a sync, which schedules the next upload one sync-interval after the last
        write0(7); // committed after that copy: nothing copies it before the upload runs
        Pos copied = db.position();
        scheduler.advance(Duration.ofSeconds(2));
        assertEquals(copied.index(), runner.replica().position().index(), "no checkpoint in between");
        assertTrue(
                runner.replica().position().offset() > copied.offset(),
                "the upload went past the last copy: " + runner.replica().position() + " vs " + copied);
        assertEquals(AppDb.range(0, rows), AppDb.ids(restore(client, "out.db")), "every commit is in the replica");
    }

    @Test
    void snapshotIntervalTakesASnapshotEachIntervalOfTheClock() throws Exception {
        app = new AppDb(dbPath());
        db = open();
        write(10);
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"), clock);
        ReplicaRunner runner = runner(client, Duration.ofHours(1), Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
        runner.start();
        scheduler.runDue();
        assertEquals(1, runner.replica().stats().snapshots(), "the generation's first snapshot");
        scheduler.advance(Duration.ofMinutes(59));
        assertEquals(1, runner.replica().stats().snapshots(), "none before the interval has passed");
        write(5);
        scheduler.advance(Duration.ofMinutes(2));
        assertEquals(2, runner.replica().stats().snapshots(), "one after an hour");
        scheduler.advance(Duration.ofMinutes(60));
        assertEquals(3, runner.replica().stats().snapshots(), "and one more an hour later");
        assertEquals(AppDb.range(0, rows), AppDb.ids(restore(client, "out.db")));
    }

    @Test
    void retentionDeletesOldGenerationsSnapshotsAndWalButKeepsWhatARestoreNeeds() throws Exception {
        Path replicaDir = dir.resolve("replica");
        FileReplicaClient client = new FileReplicaClient(replicaDir, clock);
        app = new AppDb(dbPath());
        // Generation A at T0, written by an earlier run of the replicator.
        db = open();
        String genA = generationOfAnEarlierRun(client);
        ReplicaRunner runner = runAfter(Duration.ofHours(1), client);
        String genB = db.position().generation();
        assertNotEquals(genA, genB);
        assertEquals(1, client.snapshots(genB).size(), "B's first snapshot at T0+1h");
        long b0 = client.snapshots(genB).get(0).index();

        // T0+3h: two more WAL indexes and a snapshot of the second one.
        scheduler.advance(Duration.ofHours(2));
        nextIndex(runner, 20);
        nextIndex(runner, 20);
        long k = runner.replica().snapshot().index();
        nextIndex(runner, 20);
        assertEquals(List.of(b0, k), indexes(client.snapshots(genB)));
        assertTrue(client.walSegments(genB).stream().anyMatch(w -> w.index() < k));

        // Retention runs 5 s after the start (T0+1h) and then hourly (T0+2h+5s, T0+3h+5s, ...); a run at T0+Nh+5s
        // keeps snapshots from T0+(N-24)h+5s on.
        // T0+24h30m: A's only snapshot (T0) is past retention, B's (T0+1h, T0+3h) are not.
        scheduler.advance(Duration.ofHours(21).plusMinutes(30));
        assertEquals(List.of(genB), client.generations(), "the older generation is deleted");
        assertEquals(List.of(b0, k), indexes(client.snapshots(genB)));
        assertRestoresEverything(client, "after-a.db");

        // T0+25h30m: B's first snapshot (T0+1h) is past retention; the one at T0+3h is kept.
        scheduler.advance(Duration.ofHours(1));
        assertEquals(List.of(k), indexes(client.snapshots(genB)), "snapshots below the oldest kept one are deleted");
        assertTrue(
                client.walSegments(genB).stream().allMatch(w -> w.index() >= k),
                "WAL below the oldest kept snapshot is deleted: " + client.walSegments(genB));
        assertRestoresEverything(client, "after-b0.db");

        // T0+27h30m: no snapshot would remain, so a new one is taken first, then the old ones go.
        nextIndex(runner, 20);
        long now = db.position().index();
        scheduler.advance(Duration.ofHours(2));
        assertEquals(List.of(genB), client.generations(), "the current generation is kept");
        List<SnapshotInfo> left = client.snapshots(genB);
        assertTrue(
                left.size() == 1
                        && left.get(0).index() >= now
                        && !left.get(0).createdAt().isBefore(T0.plus(Duration.ofHours(27))),
                "a fresh snapshot replaces the expired ones: " + left);
        assertTrue(client.walSegments(genB).stream()
                .allMatch(w -> w.index() >= left.get(0).index()));
        assertTrue(lines("generation deleted") == 1 && lines("snapshot deleted") >= 2, logText());
        assertRestoresEverything(client, "after-all.db");
        Path theirs = dir.resolve("theirs.db");
        new Litestream(dir, Map.of())
                .restore(theirs, replicaDir.toUri().toString())
                .requireSuccess("litestream restore");
        assertEquals(AppDb.range(0, rows), AppDb.ids(theirs));
    }

    /**
     * A machine scaled to zero runs for minutes at a time and begins a generation at each boot: with the first pass
     * a whole {@code retention-check-interval} (1 h) after start, retention never ran there and the bucket gained a
     * generation per boot for good.
     */
    @Test
    void theFirstRetentionPassRunsSoonAfterStart() throws Exception {
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"), clock);
        app = new AppDb(dbPath());
        db = open();
        String old = generationOfAnEarlierRun(client);
        runAfter(Duration.ofHours(25), client); // the machine was stopped for a day
        String current = db.position().generation();
        assertEquals(List.of(old, current).stream().sorted().toList(), client.generations());

        scheduler.advance(ReplicaRunner.FIRST_RETENTION.minusSeconds(1));
        assertEquals(2, client.generations().size(), "not before the first check");
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(List.of(current), client.generations(), "the day-old generation is deleted at the first check");
        assertRestoresEverything(client, "after.db");
    }

    /**
     * A database that does not exist yet (the replicator waits for it): the first retention check, 5 s after start,
     * asked for a snapshot to keep and logged an ERROR ("database not open yet"). It now waits for the database.
     */
    @Test
    void retentionWaitsQuietlyForADatabaseThatDoesNotExistYet() throws Exception {
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"), clock);
        db = open();
        ReplicaRunner runner = runner(client, Duration.ZERO, Duration.ofHours(24), Duration.ofHours(1), Duration.ZERO);
        runner.start();
        scheduler.advance(Duration.ofSeconds(30));
        assertFalse(logText().contains("level=ERROR"), logText());
        assertEquals(List.of(), client.generations());

        app = new AppDb(dbPath());
        write(10);
        runner.onChange();
        scheduler.advance(Duration.ofSeconds(10));
        assertEquals(1, client.generations().size());
        assertFalse(logText().contains("level=ERROR"), logText());
        assertRestoresEverything(client, "created.db");
    }

    /**
     * A retention pass cut short between two deletions (the replicator killed, a request failing) deleted each index's
     * segments from offset 0 up: an index left without its first segment made Litestream's restore fail ("missing
     * initial wal segment"), which it checks of every index, even below the snapshot it restores from.
     */
    @Test
    void aRetentionPassCutShortLeavesAReplicaBothToolsRestore() throws Exception {
        Path replicaDir = dir.resolve("replica");
        FileReplicaClient files = new FileReplicaClient(replicaDir, clock);
        ReplicaClient client = new ForwardingReplicaClient(files) {
            @Override
            public void deleteWalSegments(List<Pos> positions) throws IOException {
                inner.deleteWalSegments(positions.subList(0, 1));
                throw new IOException("the replicator stopped here");
            }
        };
        app = new AppDb(dbPath());
        db = open();
        write(10);
        ReplicaRunner runner = runner(client, Duration.ZERO, Duration.ofHours(1), Duration.ofHours(1), Duration.ZERO);
        runner.start();
        scheduler.runDue();
        for (int i = 0; i < 3; i++) {
            write(5); // a second segment in the index
            runner.onChange();
            scheduler.advance(Duration.ofSeconds(2));
            nextIndex(runner, 5);
        }
        runner.replica().snapshot();
        String generation = db.position().generation();
        int segments = files.walSegments(generation).size();
        long first = files.snapshots(generation).get(0).index();
        assertTrue(
                files.walSegments(generation).stream().anyMatch(w -> w.index() == first && w.offset() > 0),
                "the first snapshot's index has segments after offset 0: " + files.walSegments(generation));

        scheduler.advance(Duration.ofHours(1)); // the first snapshot is past retention, the last one is not
        assertEquals(segments - 1, files.walSegments(generation).size(), "one segment deleted, then the pass failed");
        assertTrue(lines("retention failed") == 1, logText());
        assertEquals(AppDb.range(0, rows), AppDb.ids(restore(files, "ours.db")));
        Path theirs = dir.resolve("theirs.db");
        new Litestream(dir, Map.of())
                .restore(theirs, replicaDir.toUri().toString())
                .requireSuccess("litestream restore");
        assertEquals(AppDb.range(0, rows), AppDb.ids(theirs));
    }

    @Test
    void validationRunsEachValidationIntervalOfTheClock() throws Exception {
        app = new AppDb(dbPath());
        db = open();
        write(10);
        ReplicaRunner runner = runner(
                new FileReplicaClient(dir.resolve("replica"), clock),
                Duration.ZERO,
                Duration.ZERO,
                Duration.ofHours(1),
                Duration.ofMinutes(10));
        runner.start();
        scheduler.runDue();
        scheduler.advance(Duration.ofMinutes(9));
        assertEquals(0, runner.validationsOk(), "not before the interval");
        write(10);
        scheduler.advance(Duration.ofMinutes(2));
        assertEquals(1, runner.validationsOk(), logText());
        write(10);
        scheduler.advance(Duration.ofMinutes(10));
        assertEquals(2, runner.validationsOk(), logText());
        assertEquals(0, runner.validationErrors());
    }

    /** Rows written while no replicator runs. */
    private void write0(int n) throws Exception {
        app.insert(rows, rows + n);
        rows += n;
    }

    /** An earlier run of the replicator writes a generation; while it is down, the app truncates the WAL. */
    private String generationOfAnEarlierRun(FileReplicaClient client) throws Exception {
        write(10);
        new Replica(db, client, Replica.Options.defaults("file"), clock, log).sync();
        String generation = db.position().generation();
        db.close();
        write0(10);
        app.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        return generation;
    }

    /**
     * {@code downFor} later, a run with a day's retention checked hourly starts (a new generation, since the WAL was
     * truncated) and makes its first upload.
     */
    private ReplicaRunner runAfter(Duration downFor, FileReplicaClient client) throws Exception {
        clock.advance(downFor);
        db = open();
        write(10);
        ReplicaRunner runner = runner(client, Duration.ZERO, Duration.ofHours(24), Duration.ofHours(1), Duration.ZERO);
        runner.start();
        scheduler.runDue();
        return runner;
    }

    /** Writes rows, ships them, and checkpoints so that the next write starts a new WAL index. */
    private void nextIndex(ReplicaRunner runner, int n) throws Exception {
        write(n);
        long before = db.position().index();
        db.checkpoint(CheckpointMode.PASSIVE);
        write(1);
        assertTrue(db.position().index() > before, "a new WAL index");
        runner.onChange();
        scheduler.advance(Duration.ofSeconds(2));
        assertEquals(db.position(), runner.replica().position());
    }

    private void assertRestoresEverything(FileReplicaClient client, String name) throws Exception {
        db.sync();
        scheduler.advance(Duration.ofSeconds(2));
        assertEquals(AppDb.range(0, rows), AppDb.ids(restore(client, name)), name);
    }

    private static List<Long> indexes(List<SnapshotInfo> snaps) {
        return snaps.stream().map(SnapshotInfo::index).sorted().toList();
    }

    private Path restore(FileReplicaClient client, String name) throws Exception {
        Path out = dir.resolve(name);
        FileTrees.delete(out);
        new Restorer(2, true, log)
                .restore(RestorePlanner.plan(Map.of("file", client), RestorePlanner.Target.latest()), out);
        return out;
    }

    private long lines(String needle) {
        return logText().lines().filter(l -> l.contains(needle)).count();
    }

    private String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }
}
