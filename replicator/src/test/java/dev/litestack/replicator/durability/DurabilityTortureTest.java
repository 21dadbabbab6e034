package dev.litestack.replicator.durability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.testing.Writers;
import dev.litestack.replicator.testing.Writers.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Durability torture: the real {@code replicate} command in its own JVM, and the application as
 * other processes (the {@code sqlite3} shell and JDBC writer JVMs) that open, write and close, in
 * the patterns that lose data when a replicator gets them wrong. Every run ends with a clean stop,
 * then checks the source database ({@code integrity_check}, every committed row) and restores the
 * replica with our {@code restore} and with Litestream 0.3.13's, each of which must hold exactly
 * the committed rows.
 *
 * <p>The test command runs each case once. For a soak, {@code -Dtorture.minutes=N} repeats every
 * case with new seeds until N minutes have passed in all, and {@code -Dtorture.report=FILE}
 * appends one line per run (see {@code bench/durability/soak.sh}). A failing run prints its seed;
 * rerun it with {@code -Dtorture.seed=SEED}.
 */
@Tag("integration")
class DurabilityTortureTest {

    private static final double MINUTES = Double.parseDouble(System.getProperty("torture.minutes", "0"));
    private static final String REPORT = System.getProperty("torture.report");
    private static final Long SEED = Long.getLong("torture.seed");
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    /** What each run does to the replicator and the database. */
    enum Case {
        /** Dozens of writer processes in a row, each opening, inserting a few rows and closing. */
        SHORT_LIVED_WRITERS,
        /** Writer sessions that insert about 200 rows a second for 1-3 s each, then close. */
        WRITER_SESSIONS,
        /** SIGKILL of the replicator at random moments while a writer runs, then a restart. */
        SIGKILL_REPLICATOR,
        /** The app writes, runs wal_checkpoint(TRUNCATE) and writes again while the replicator is down. */
        TRUNCATE_WHILE_DOWN,
        /** VACUUM (and a TRUNCATE checkpoint) from another process while replicating. */
        VACUUM,
        /** replicate -exec of a child that writes, then exits with a code of its own. */
        EXEC_CHILD,
        /** The S3 server goes away while writers keep committing, then comes back. */
        S3_OUTAGE
    }

    @TempDir
    static Path shared;

    private static S3ProxyServer s3;

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    private static synchronized S3ProxyServer s3() throws Exception {
        if (s3 == null) {
            s3 = S3ProxyServer.start();
        }
        return s3;
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void nothingCommittedIsLostAndTheSourceStaysIntact(Case c) throws Exception {
        Instant end = Instant.now().plus(Duration.ofMillis((long) (MINUTES * 60_000 / Case.values().length)));
        int runs = 0;
        do {
            long seed = SEED != null ? SEED : System.nanoTime();
            Path dir = Files.createDirectories(shared.resolve(c.name().toLowerCase() + "-" + runs));
            System.out.println(
                    "torture " + c + " run " + runs + " seed " + seed + " (rerun with -Dtorture.seed=" + seed + ")");
            try (Run run = new Run(dir, c == Case.S3_OUTAGE ? s3() : null)) {
                Random random = new Random(seed);
                switch (c) {
                    case SHORT_LIVED_WRITERS -> shortLivedWriters(run, random);
                    case WRITER_SESSIONS -> writerSessions(run, random);
                    case SIGKILL_REPLICATOR -> sigkill(run, random);
                    case TRUNCATE_WHILE_DOWN -> truncateWhileDown(run, random);
                    case VACUUM -> vacuum(run, random);
                    case EXEC_CHILD -> execChild(run, random);
                    case S3_OUTAGE -> s3Outage(run, random);
                }
                run.verify(c + " seed " + seed);
                report(c, seed, run);
            }
            runs++;
        } while (Instant.now().isBefore(end));
    }

    // ---- the cases ----

    private void shortLivedWriters(Run run, Random random) throws Exception {
        run.startReplicator();
        int writers = 30 + random.nextInt(20);
        for (int i = 0; i < writers; i++) {
            run.insert(random.nextInt(4) == 0 ? Kind.JDBC : Kind.SHELL, 1 + random.nextInt(3), 0);
            if (i % 10 == 9) {
                run.assertSourceIntact("after " + (i + 1) + " writers");
            }
        }
        run.stopReplicator();
    }

    private void writerSessions(Run run, Random random) throws Exception {
        run.startReplicator();
        int sessions = 3 + random.nextInt(2);
        for (int i = 0; i < sessions; i++) {
            int millis = 1000 + random.nextInt(2000);
            run.insert(Kind.JDBC, millis / 5, 200);
            run.assertSourceIntact("after writer session " + i);
        }
        run.stopReplicator();
    }

    private void sigkill(Run run, Random random) throws Exception {
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            run.startReplicator();
            int sessions = 3;
            for (int i = 0; i < sessions; i++) {
                int rows = 300 + random.nextInt(300);
                int rate = 250;
                ReplicatorCli victim = run.replicator;
                // a kill at a random moment of the writer's session (workload timing, not a wait for async work)
                killer.schedule(
                        () -> {
                            victim.kill();
                            return null;
                        },
                        random.nextInt(rows * 1000 / rate),
                        TimeUnit.MILLISECONDS);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        run.insert(Kind.JDBC, rows, rate);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                await("the replicator killed").atMost(DEADLINE).until(() -> !victim.isAlive());
                run.assertReplicaIsAPrefix("after kill " + i);
                run.startReplicator();
            }
            run.stopReplicator();
        } finally {
            killer.shutdownNow();
        }
    }

    private void truncateWhileDown(Run run, Random random) throws Exception {
        run.startReplicator();
        run.insert(Kind.SHELL, 20 + random.nextInt(50), 0);
        run.stopReplicator();
        int rows = 10 + random.nextInt(40);
        // one process: write, TRUNCATE (nobody else holds the database), write again
        String sql = "PRAGMA journal_mode=wal;" + Writers.insertSql(run.next, rows) + "PRAGMA wal_checkpoint(TRUNCATE);"
                + Writers.insertSql(run.next + rows, rows);
        Writers.sqlite3(run.db, sql);
        run.next += 2 * rows;
        run.startReplicator();
        run.insert(Kind.JDBC, 20, 0);
        run.stopReplicator();
        assertTrue(run.generations() >= 2, "a new generation after the TRUNCATE:\n" + run.output());
    }

    private void vacuum(Run run, Random random) throws Exception {
        run.startReplicator();
        run.insert(Kind.SHELL, 50, 0);
        Writers.sqlite3(
                run.db,
                "CREATE TABLE IF NOT EXISTS junk (b BLOB); "
                        + "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < "
                        + (50 + random.nextInt(200))
                        + ") INSERT INTO junk SELECT randomblob(4000) FROM n;");
        run.insert(Kind.JDBC, 30, 0);
        Writers.sqlite3(run.db, "DELETE FROM junk; VACUUM;");
        run.insert(Kind.SHELL, 20, 0);
        Writers.sqlite3(run.db, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;");
        run.insert(Kind.JDBC, 20, 0);
        run.stopReplicator();
    }

    private void execChild(Run run, Random random) throws Exception {
        run.insert(Kind.SHELL, 5, 0);
        int rows = 200 + random.nextInt(400);
        int code = 3 + random.nextInt(100);
        String child = String.join(
                " ",
                Cli.javaCommand(
                        dev.litestack.replicator.testing.JdbcWriterMain.class.getName(),
                        run.db.toString(),
                        String.valueOf(run.next),
                        String.valueOf(rows),
                        "0"));
        run.replicator = ReplicatorCli.start(
                run.config, run.log, run.env, "-exec", "sh -c '" + child + " && exit " + code + "'");
        assertEquals(code, run.replicator.waitFor(), "replicate -exec returns the child's exit code:\n" + run.output());
        run.replicator = null;
        run.next += rows;
        assertTrue(run.output().contains("exit_code=" + code), run.output());
    }

    private void s3Outage(Run run, Random random) throws Exception {
        run.startReplicator();
        run.insert(Kind.JDBC, 100, 0);
        run.s3.stop();
        try {
            run.insert(Kind.JDBC, 100 + random.nextInt(300), 200);
            run.insert(Kind.SHELL, 10, 0);
            await("the outage reported")
                    .atMost(DEADLINE)
                    .until(() -> run.output().contains("replica sync failed"));
        } finally {
            run.s3.restart();
        }
        run.insert(Kind.SHELL, 10, 0);
        await("the replica recovered by itself")
                .atMost(DEADLINE)
                .until(() -> run.output().contains("replica sync recovered"));
        run.stopReplicator();
    }

    private static synchronized void report(Case c, long seed, Run run) throws IOException {
        if (REPORT == null) {
            return;
        }
        String line = String.join(
                        "\t",
                        Instant.now().toString(),
                        c.name(),
                        Long.toString(seed),
                        Integer.toString(run.next),
                        Integer.toString(run.restoredOurs),
                        Integer.toString(run.restoredTheirs),
                        Integer.toString(run.generations()))
                + "\n";
        Files.writeString(
                Path.of(REPORT), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** One run's database, replica, config and replicator process. */
    static final class Run implements AutoCloseable {
        final Path dir;
        final Path db;
        final Path config;
        final Path log;
        final S3ProxyServer s3;
        final String bucket;
        final Map<String, String> env;
        ReplicatorCli replicator;
        int next;
        int restoredOurs;
        int restoredTheirs;

        Run(Path dir, S3ProxyServer s3) throws IOException {
            this.dir = dir;
            this.db = dir.resolve("app.db");
            this.config = dir.resolve("litestream.yml");
            this.log = dir.resolve("replicate.log");
            this.s3 = s3;
            this.bucket = s3 == null ? null : s3.createBucket();
            this.env = Map.of();
            List<String> replica = s3 == null
                    ? List.of(
                            "type: file",
                            "path: " + Litestream.quote(dir.resolve("replica").toString()),
                            "sync-interval: 200ms")
                    : List.of(
                            "type: s3",
                            "bucket: " + bucket,
                            "path: app",
                            "endpoint: " + s3.endpoint(),
                            "region: " + S3ProxyServer.REGION,
                            "force-path-style: true",
                            "access-key-id: " + S3ProxyServer.ACCESS_KEY,
                            "secret-access-key: " + S3ProxyServer.SECRET_KEY,
                            "sync-interval: 200ms");
            Litestream.writeConfig(
                    config,
                    db,
                    List.of("monitor-interval: 100ms", "checkpoint-interval: 2s", "min-checkpoint-page-count: 64"),
                    replica);
        }

        void startReplicator() throws Exception {
            int before = lines("msg=replicating");
            replicator = ReplicatorCli.start(config, log, env);
            ReplicatorCli r = replicator;
            await("replicate started").atMost(DEADLINE).until(() -> {
                if (!r.isAlive()) {
                    throw new AssertionError("replicate exited early:\n" + output());
                }
                return lines("msg=replicating") > before;
            });
        }

        void stopReplicator() throws Exception {
            assertEquals(0, replicator.stop(), "replicate exit code after SIGTERM:\n" + output());
            replicator = null;
        }

        /** A writer process inserts the next {@code rows} rows and exits. */
        void insert(Kind kind, int rows, int rate) throws Exception {
            Writers.insert(kind, db, next, rows, rate);
            next += rows;
        }

        private int lines(String needle) throws IOException {
            return (int) output().lines().filter(l -> l.contains(needle)).count();
        }

        String output() throws IOException {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }

        /** integrity_check of the source, from a separate process (so this JVM never holds the database). */
        void assertSourceIntact(String when) throws Exception {
            String out = Writers.sqlite3(db, "PRAGMA integrity_check; SELECT count(*) FROM t;")
                    .strip();
            assertEquals("ok\n" + next, out, "source database " + when + ":\n" + output());
        }

        /** While the replicator is down: our restore holds a committed prefix. */
        void assertReplicaIsAPrefix(String when) throws Exception {
            Path out = dir.resolve("prefix-" + System.nanoTime() + ".db");
            Cli.Result r = Cli.run("restore", "-config", config.toString(), "-o", out.toString(), db.toString());
            if (r.code() != 0 && r.err().contains("no matching backups")) {
                return; // killed before the first snapshot was uploaded
            }
            assertEquals(0, r.code(), when + ": " + r);
            List<Integer> ids = AppDb.ids(out);
            assertEquals(AppDb.range(0, ids.size()), ids, when + ": the restore is a dense prefix");
            assertTrue(ids.size() <= next, when + ": restored more rows than were committed");
            Files.delete(out);
        }

        /** The end of every run: the source and both restores hold exactly the committed rows. */
        void verify(String what) throws Exception {
            assertSourceIntact("at the end of " + what);
            assertEquals(AppDb.range(0, next), AppDb.liveIds(db), what + ": source rows");
            Path ours = dir.resolve("ours.db");
            Cli.Result r = Cli.run("restore", "-config", config.toString(), "-o", ours.toString(), db.toString());
            assertEquals(0, r.code(), what + ": our restore: " + r + "\n" + output());
            List<Integer> got = AppDb.ids(ours);
            restoredOurs = got.size();
            assertEquals(
                    AppDb.range(0, next), got, what + ": our restore holds exactly the committed rows\n" + output());
            Path theirs = dir.resolve("theirs.db");
            new Litestream(dir, Map.of())
                    .restore(theirs, db.toString(), "-config", config.toString())
                    .requireSuccess(what + ": litestream restore");
            got = AppDb.ids(theirs);
            restoredTheirs = got.size();
            assertEquals(AppDb.range(0, next), got, what + ": Litestream's restore holds exactly the committed rows");
        }

        int generations() throws IOException {
            return (int)
                    output().lines().filter(l -> l.contains("new generation")).count();
        }

        @Override
        public void close() throws Exception {
            if (replicator != null && replicator.isAlive()) {
                replicator.kill();
            }
            if (s3 != null && !s3.isRunning()) {
                s3.restart();
            }
        }
    }
}
