package dev.litestack.replicator.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.replica.Lease;
import dev.litestack.replicator.replica.LeaseStore;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.replica.s3.S3ReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per replica: two real {@code replicate} processes on one replica path, on a folder
 * and on S3 (s3proxy). The second waits and writes nothing while the first holds the lease (the
 * first keeps writing: it renews its lease only when it writes, so an idle one lets it lapse); after
 * a SIGKILL of the first it takes over once the lease expires; {@code on-conflict: exit} fails
 * fast naming the holder; a clean stop releases the lease at once. Litestream 0.3.13 lists and
 * restores the replica with the lease object in it.
 */
@Tag("integration")
class ReplicateLeaseTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Duration LEASE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private interface Backend {
        List<String> replicaLines();

        ReplicaClient raw() throws Exception;

        Map<String, String> env();
    }

    @Test
    void fileReplica() throws Exception {
        Path rep = dir.resolve("rep");
        twoReplicators(fileBackend(rep));
    }

    @Test
    void s3Replica() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start()) {
            String bucket = server.createBucket();
            twoReplicators(s3Backend(server, bucket, "shared/app.db"));
        }
    }

    /** A file replica at {@code rep}. */
    private static Backend fileBackend(Path rep) {
        return new Backend() {
            public List<String> replicaLines() {
                return List.of("path: " + Litestream.quote(rep.toString()));
            }

            public ReplicaClient raw() {
                return new FileReplicaClient(rep);
            }

            public Map<String, String> env() {
                return Map.of();
            }
        };
    }

    /** An S3 replica on {@code server}, under {@code prefix} of {@code bucket}. */
    private static Backend s3Backend(S3ProxyServer server, String bucket, String prefix) {
        return new Backend() {
            public List<String> replicaLines() {
                return List.of(
                        "type: s3",
                        "bucket: " + bucket,
                        "path: " + prefix,
                        "endpoint: " + server.endpoint(),
                        "region: " + S3ProxyServer.REGION,
                        "force-path-style: true");
            }

            public ReplicaClient raw() throws Exception {
                return S3ReplicaClient.open(server.settings(bucket, prefix), Map.of());
            }

            public Map<String, String> env() {
                return Map.of(
                        "LITESTREAM_ACCESS_KEY_ID",
                        S3ProxyServer.ACCESS_KEY,
                        "LITESTREAM_SECRET_ACCESS_KEY",
                        S3ProxyServer.SECRET_KEY);
            }
        };
    }

    private Path config(String name, Path db, Backend b, String onConflict) throws IOException {
        return config(name, db, b, onConflict, LEASE);
    }

    private Path config(String name, Path db, Backend b, String onConflict, Duration lease) throws IOException {
        Path cfg = Litestream.writeConfig(
                dir.resolve(name + ".yml"),
                db,
                List.of("monitor-interval: 100ms"),
                concat(b.replicaLines(), List.of("sync-interval: 100ms")));
        Files.writeString(
                cfg,
                Files.readString(cfg) + "lease:\n  duration: " + lease.toSeconds() + "s\n  on-conflict: " + onConflict
                        + "\n");
        return cfg;
    }

    /** The backend's environment plus a host name for the lease (each replicator "runs on" its own host). */
    private static Map<String, String> on(Backend b, String host) {
        Map<String, String> env = new java.util.HashMap<>(b.env());
        env.put("HOSTNAME", host);
        return env;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private Path logDir(String name) throws IOException {
        return Files.createDirectories(dir.resolve("log-" + name));
    }

    private static String out(Path logDir) throws IOException {
        return Cli.output(logDir);
    }

    private void twoReplicators(Backend b) throws Exception {
        Path dbA = dir.resolve("a.db");
        Path dbB = dir.resolve("b.db");
        try (AppDb a = new AppDb(dbA);
                AppDb bApp = new AppDb(dbB);
                ReplicaClient raw = b.raw()) {
            a.insert(0, 10);
            bApp.insert(100, 120);
            LeaseStore store = raw.leaseStore();

            Path logA = logDir("a");
            Process pa = Cli.start(
                    logA,
                    on(b, "host-a"),
                    "replicate",
                    "-config",
                    config("a", dbA, b, "wait").toString());
            Process pb = null;
            java.util.concurrent.ScheduledExecutorService pacer =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            try {
                await("A takes the lease and replicates")
                        .atMost(DEADLINE)
                        .until(() -> out(logA).contains("msg=\"lease taken\"")
                                        && raw.generations().size() == 1
                                || !pa.isAlive());
                assertTrue(pa.isAlive(), out(logA));
                assertTrue(
                        out(logA).contains(" duration=" + LEASE.toSeconds() + "s"),
                        "as written in the config: " + out(logA));
                String genA = raw.generations().get(0);
                Lease heldByA = store.read().lease();
                assertEquals(pa.pid(), heldByA.pid());

                // A's application keeps writing (a row every 300 ms), so A keeps renewing its lease
                java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(1000);
                AppDb busyA = new AppDb(dbA); // its own connection: the test thread writes through `a` meanwhile
                pacer.scheduleAtFixedRate(
                        () -> {
                            try {
                                busyA.insert(next.get(), next.incrementAndGet());
                            } catch (java.sql.SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        0,
                        300,
                        java.util.concurrent.TimeUnit.MILLISECONDS);

                // B on the same replica path waits, logging who holds it, and writes nothing
                Path logB = logDir("b");
                pb = Cli.start(
                        logB,
                        on(b, "host-b"),
                        "replicate",
                        "-config",
                        config("b", dbB, b, "wait").toString());
                Process fb = pb;
                await("B waits for A's lease")
                        .atMost(DEADLINE)
                        .until(() -> out(logB).contains("another replicator holds " + "the lease, waiting")
                                || !fb.isAlive());
                String waiting = out(logB);
                assertTrue(
                        waiting.contains("holder=" + heldByA.holder())
                                && waiting.contains("host=host-a")
                                && waiting.contains("pid=" + pa.pid()),
                        waiting);
                a.insert(10, 20);
                await("A keeps replicating")
                        .atMost(DEADLINE)
                        .ignoreExceptions()
                        .until(() -> AppDb.ids(restore(raw, "a-live")).containsAll(AppDb.range(0, 20)));
                assertEquals(List.of(genA), raw.generations(), "B wrote nothing");

                // on-conflict: exit fails at once, naming the holder
                Path logC = logDir("c");
                Cli.Result c = Cli.exec(
                        logC,
                        on(b, "host-c"),
                        "replicate",
                        "-once",
                        "-config",
                        config("c", dbB, b, "exit").toString());
                assertEquals(1, c.code(), c.toString());
                assertTrue(
                        c.err().contains("is leased by holder " + heldByA.holder())
                                && c.err().contains("(lease " + "on-conflict: exit)"),
                        c.err());

                // kill -9 A (another host for B): B takes over once A's lease has expired, not before
                pacer.shutdownNow();
                Instant expires = store.read().lease().expires();
                pa.destroyForcibly().waitFor();
                await("B takes over")
                        .atMost(DEADLINE)
                        .until(() -> out(logB).contains("msg=\"lease taken\"") || !fb.isAlive());
                assertTrue(fb.isAlive(), out(logB));
                Lease heldByB = store.read().lease();
                assertEquals(pb.pid(), heldByB.pid());
                assertFalse(Instant.now().isBefore(expires), "taken after A's lease expired at " + expires);
                await("B replicates its database")
                        .atMost(DEADLINE)
                        .until(() -> raw.generations().size() == 2);
                await().atMost(DEADLINE)
                        .ignoreExceptions()
                        .until(() -> AppDb.ids(restore(raw, "b-live")).equals(AppDb.range(100, 120)));

                // a clean stop releases the lease: the next one takes it at once, even with on-conflict: exit
                pb.destroy();
                assertEquals(0, pb.waitFor(), out(logB));
                assertTrue(out(logB).contains("msg=\"lease released\""), out(logB));
                assertTrue(store.read().lease().released());
                Path logD = logDir("d");
                Cli.Result d = Cli.exec(
                        logD,
                        on(b, "host-d"),
                        "replicate",
                        "-once",
                        "-config",
                        config("d", dbB, b, "exit").toString());
                assertEquals(0, d.code(), d.toString());

                // kill -9 of a holder whose restart comes up on the same host: its lease (60 s) is taken at once,
                // since its pid no longer runs there
                Path logE = logDir("e");
                Process pe = Cli.start(
                        logE,
                        on(b, "host-e"),
                        "replicate",
                        "-config",
                        config("e", dbB, b, "wait", Duration.ofSeconds(60)).toString());
                await("E takes the lease")
                        .atMost(DEADLINE)
                        .until(() -> out(logE).contains("msg=\"lease taken\"") || !pe.isAlive());
                pe.destroyForcibly().waitFor();
                assertFalse(store.read().lease().freeAt(Instant.now()), "E's lease is still live");
                Cli.Result f = Cli.exec(
                        logDir("f"),
                        on(b, "host-e"),
                        "replicate",
                        "-once",
                        "-config",
                        config("f", dbB, b, "exit").toString());
                assertEquals(0, f.code(), f.toString());
            } finally {
                pacer.shutdownNow();
                pacer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
                pa.destroyForcibly().waitFor();
                if (pb != null) {
                    pb.destroyForcibly().waitFor();
                }
            }

            // Litestream 0.3.13 sees the two generations and restores the newest; the lease object is not in its way
            Litestream litestream = new Litestream(dir, b.env());
            Path cfgB = config("b", dbB, b, "wait");
            Litestream.Result gens = litestream
                    .run(DEADLINE, "generations", "-config", cfgB.toString(), dbB.toString())
                    .requireSuccess("litestream generations");
            for (String g : raw.generations()) {
                assertTrue(gens.output().contains(g), gens.output());
            }
            assertEquals(3, gens.output().strip().lines().count(), "a header and two generations:\n" + gens.output());
            Path theirs = dir.resolve("litestream.db");
            litestream
                    .restore(theirs, dbB.toString(), "-config", cfgB.toString())
                    .requireSuccess("litestream restore");
            assertEquals(AppDb.range(100, 120), AppDb.ids(theirs));
        }
    }

    /**
     * The replica's folder deleted while replicating (by hand, or a clean-up job), the application still writing: the
     * replicator went on writing WAL segments into a generation whose snapshot was gone, so every restore failed
     * (a generation with WAL but no snapshot) until it was restarted. Now it sees the generation's folder gone before
     * its next upload and begins the generation again with a snapshot; both tools restore every row.
     */
    @Test
    void aReplicaFolderDeletedWhileReplicatingIsBegunAgain() throws Exception {
        Path rep = dir.resolve("rep");
        replicaDeletedWhileReplicating(
                fileBackend(rep),
                () -> {
                    // moved away first: a recursive delete racing the replicator's next upload into the folder would
                    // fail on a folder not empty
                    Path gone = java.nio.file.Files.move(rep, dir.resolve("rep-deleted"));
                    dev.litestack.replicator.util.FileTrees.delete(gone);
                },
                "generation gone");
    }

    /**
     * The same on S3, where a deleted prefix cannot be seen without a request: the lease object, gone with it, is
     * noticed at its next renewal, and the generation, which now has WAL segments but no snapshot, is followed by a
     * new one.
     */
    @Test
    void anS3PrefixDeletedWhileReplicatingIsFollowedByANewGeneration() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
                software.amazon.awssdk.services.s3.S3Client sdk = server.sdkClient()) {
            String bucket = server.createBucket();
            replicaDeletedWhileReplicating(
                    s3Backend(server, bucket, "app"),
                    () -> deleteEveryKey(server, sdk, bucket),
                    // the lease object goes with the prefix; the generation may be seen before or after its snapshot
                    // is deleted (the deletion is one request per key), so the lease is what is always noticed
                    "lease gone from the replica");
        }
    }

    /**
     * The S3 prefix deleted, then one write once the lease is due for renewal, then nothing: that write found the lease
     * gone, took it back and went into the generation whose snapshot was gone, and with nothing written after it the
     * replica stayed unrestorable until the next write or the hourly retention check. Now a write that takes the
     * lease anew is not made; the replica is read again and the generation begun with a snapshot first.
     */
    @Test
    void anS3PrefixDeletedThenOneWriteIsRestorableAtOnce() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
                software.amazon.awssdk.services.s3.S3Client sdk = server.sdkClient()) {
            String bucket = server.createBucket();
            Path db = dir.resolve("app.db");
            Backend b = s3Backend(server, bucket, "app");
            Path cfg = config("a", db, b, "exit", Duration.ofSeconds(1));
            Path log = logDir("a");
            try (AppDb app = new AppDb(db);
                    ReplicaClient raw = b.raw()) {
                app.insert(0, 10);
                Process p = Cli.start(log, b.env(), "replicate", "-config", cfg.toString());
                try {
                    await("replicated")
                            .atMost(DEADLINE)
                            .ignoreExceptions()
                            .until(() -> AppDb.ids(restore(raw, "before")).equals(AppDb.range(0, 10)) || !p.isAlive());
                    assertTrue(p.isAlive(), out(log));
                    deleteEveryKey(server, sdk, bucket);
                    Instant due = Instant.now().plusSeconds(1); // the 1 s lease is due for renewal (and has lapsed)
                    await("the lease due")
                            .atMost(DEADLINE)
                            .until(() -> Instant.now().isAfter(due));
                    app.insert(10, 11);
                    await("restorable with the one write, nothing written after it")
                            .atMost(DEADLINE)
                            .ignoreExceptions()
                            .until(() -> AppDb.ids(restore(raw, "after")).equals(AppDb.range(0, 11)) || !p.isAlive());
                    assertTrue(p.isAlive(), out(log));
                    assertTrue(out(log).contains("lease gone from the replica"), out(log));
                } finally {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** Deletes every object of {@code bucket}, one request each, as a clean-up script would. */
    private static void deleteEveryKey(
            S3ProxyServer server, software.amazon.awssdk.services.s3.S3Client sdk, String bucket) {
        for (String key : server.keys(bucket)) {
            sdk.deleteObject(r -> r.bucket(bucket).key(key));
        }
    }

    private interface Deletion {
        void run() throws Exception;
    }

    private void replicaDeletedWhileReplicating(Backend b, Deletion delete, String logged) throws Exception {
        Path db = dir.resolve("app.db");
        Path cfg = config("a", db, b, "exit", Duration.ofSeconds(1));
        java.util.concurrent.ScheduledExecutorService pacer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(10);
        Path log = logDir("a");
        try (AppDb app = new AppDb(db);
                AppDb writer = new AppDb(db);
                ReplicaClient raw = b.raw()) {
            app.insert(0, 10);
            Process p = Cli.start(log, b.env(), "replicate", "-config", cfg.toString());
            try {
                await("replicated")
                        .atMost(DEADLINE)
                        .ignoreExceptions()
                        .until(() -> AppDb.ids(restore(raw, "before")).equals(AppDb.range(0, 10)) || !p.isAlive());
                assertTrue(p.isAlive(), out(log));

                delete.run();
                pacer.scheduleAtFixedRate(
                        () -> {
                            try {
                                writer.insert(next.get(), next.get() + 1);
                                next.incrementAndGet();
                            } catch (java.sql.SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        0,
                        100,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
                await("restorable again while the app writes")
                        .atMost(DEADLINE)
                        .ignoreExceptions()
                        .until(() -> AppDb.ids(restore(raw, "during")).size() > 10 || !p.isAlive());
                assertTrue(p.isAlive(), out(log));
                pacer.shutdown();
                assertTrue(pacer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS));
                int end = next.get();
                await("every row replicated")
                        .atMost(DEADLINE)
                        .ignoreExceptions()
                        .until(() -> AppDb.ids(restore(raw, "after")).equals(AppDb.range(0, end)));
                assertTrue(out(log).contains(logged), out(log));
                p.destroy();
                assertEquals(0, p.waitFor(), out(log));
            } finally {
                pacer.shutdownNow();
                p.destroyForcibly().waitFor();
            }
            Path theirs = dir.resolve("litestream.db");
            new Litestream(dir, b.env())
                    .restore(theirs, db.toString(), "-config", cfg.toString())
                    .requireSuccess("litestream restore");
            assertEquals(AppDb.range(0, next.get()), AppDb.ids(theirs));
        }
    }

    private int restores;

    /** The latest state of the replica, restored in-process into a new file. */
    private Path restore(ReplicaClient raw, String name) throws IOException {
        Path out = dir.resolve(name + "-" + (++restores) + ".db");
        new Restorer(4, false, new Log(Log.Level.WARN, false, System.out))
                .restore(RestorePlanner.plan(Map.of("r", raw), RestorePlanner.Target.latest()), out);
        return out;
    }
}
