package dev.litestack.replicator.interop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.replica.s3.S3ReplicaClient;
import dev.litestack.replicator.restore.RestorePlanner.Target;
import dev.litestack.replicator.testing.Litestream;
import dev.litestack.replicator.testing.Workload;
import dev.litestack.replicator.testing.Workload.Content;
import dev.litestack.replicator.util.Log;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both directions against the real Litestream v0.3.13 binary over S3: an in-process s3proxy on
 * 127.0.0.1 (random port) stands in for the bucket; Litestream reaches it with aws-sdk-go v1
 * (path style, static credentials from {@code LITESTREAM_*} variables), we with our S3 client.
 */
@Tag("integration")
class InteropS3Test {

    private static final String PREFIX = "backups/app.db";

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.INFO, false, System.out);
    private S3ProxyServer server;
    private String bucket;
    private Litestream litestream;

    @BeforeEach
    void setUp() throws Exception {
        server = S3ProxyServer.start();
        bucket = server.createBucket();
        litestream = new Litestream(
                dir,
                Map.of(
                        "LITESTREAM_ACCESS_KEY_ID",
                        S3ProxyServer.ACCESS_KEY,
                        "LITESTREAM_SECRET_ACCESS_KEY",
                        S3ProxyServer.SECRET_KEY));
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private S3ReplicaClient client() throws Exception {
        return S3ReplicaClient.open(server.settings(bucket, PREFIX), Map.of());
    }

    /** A litestream.yml naming {@code db} with one s3 replica on our s3proxy. */
    private Path config(Path db) throws Exception {
        return Litestream.writeConfig(
                dir.resolve("litestream.yml"),
                db,
                List.of("monitor-interval: 100ms", "checkpoint-interval: 1s", "min-checkpoint-page-count: 16"),
                List.of(
                        "type: s3",
                        "bucket: " + bucket,
                        "path: " + PREFIX,
                        "endpoint: " + server.endpoint(),
                        "region: " + S3ProxyServer.REGION,
                        "force-path-style: true",
                        "sync-interval: 100ms",
                        "snapshot-interval: 2s",
                        "retention: 1h"));
    }

    @Test
    void weReplicateToS3LitestreamRestores() throws Exception {
        Path db = dir.resolve("app.db");
        long seed = System.nanoTime();
        System.out.println("workload seed " + seed);
        Content source;
        int total;
        try (Workload app = new Workload(db, seed)) {
            app.runFor(Duration.ofSeconds(1), 20);
            ReplicationService service = Interop.service(db, client(), log);
            service.start(Interop.SYNC_TIMEOUT);
            try (S3ReplicaClient watcher = client()) {
                Interop.writeInBursts(app, watcher, 10);
                service.syncAll(Interop.SYNC_TIMEOUT);
            } finally {
                service.close(Interop.SYNC_TIMEOUT);
            }
            total = app.committed();
            source = Workload.readLive(db);
        }
        source.assertPrefix(total, total, "source");
        assertTrue(
                server.keys(bucket).stream().allMatch(k -> k.startsWith(PREFIX + "/generations/")),
                "every key lies under the prefix: " + server.keys(bucket));
        Path config = config(db);
        try (S3ReplicaClient client = client()) {
            String gen = Interop.onlyGeneration(client);
            assertTrue(Interop.indexes(client, gen).size() >= 3, "several WAL indexes were replicated");

            Path theirs = dir.resolve("litestream-restored.db");
            litestream
                    .restore(theirs, db.toString(), "-config", config.toString())
                    .requireSuccess("litestream restore from s3");
            assertEquals(source, Workload.readImmutable(theirs), "Litestream restored every row of our s3 replica");
            Path ours = Interop.restore(client, Target.latest(), dir.resolve("our-restored.db"), log);
            Interop.assertSameBytes(theirs, ours, "Litestream's and our restore of our s3 replica");

            long cut = Interop.middleIndex(client, gen);
            Path theirsAt = dir.resolve("litestream-at-index.db");
            litestream
                    .restore(theirsAt, db.toString(), "-config", config.toString(), "-index", Long.toHexString(cut))
                    .requireSuccess("litestream restore -index " + Long.toHexString(cut));
            Workload.readImmutable(theirsAt).assertPrefix(1, total - 1, "litestream restore -index " + cut);
            Path oursAt = Interop.restore(client, new Target(gen, cut, null), dir.resolve("our-at-index.db"), log);
            Interop.assertSameBytes(theirsAt, oursAt, "point-in-time restore to index " + cut);
        }
    }

    @Test
    void litestreamReplicatesToS3WeRestore() throws Exception {
        Path db = dir.resolve("app.db");
        Path config = config(db);
        long seed = System.nanoTime();
        System.out.println("workload seed " + seed);
        Content source;
        int total;
        try (S3ReplicaClient client = client()) {
            try (Workload app = new Workload(db, seed)) {
                app.runFor(Duration.ofSeconds(1), 20);
                Litestream.Running running = litestream.replicate(config);
                int exit;
                try {
                    total = Interop.writeInBursts(app, client, 10);
                    await("Litestream's s3 replica holds all " + total + " rows")
                            .atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(300))
                            .ignoreExceptions()
                            .until(() -> Interop.restoredRows(client, dir, log) == total);
                } finally {
                    exit = running.stop(Duration.ofSeconds(30));
                    System.out.println("litestream replicate output:\n" + running.output());
                }
                assertEquals(0, exit, "litestream replicate exit code; output:\n" + running.output());
                source = Workload.readLive(db);
            }
            source.assertPrefix(total, total, "source");
            String gen = Interop.onlyGeneration(client);

            Path ours = Interop.restore(client, Target.latest(), dir.resolve("our-restored.db"), log);
            assertEquals(source, Workload.readImmutable(ours), "we restored every row of Litestream's s3 replica");
            Path theirs = dir.resolve("litestream-restored.db");
            litestream
                    .restore(theirs, db.toString(), "-config", config.toString())
                    .requireSuccess("litestream restore from s3");
            Interop.assertSameBytes(theirs, ours, "Litestream's and our restore of Litestream's s3 replica");

            long cut = Interop.middleIndex(client, gen);
            Path oursAt = Interop.restore(client, new Target(null, cut, null), dir.resolve("our-at-index.db"), log);
            Workload.readImmutable(oursAt).assertPrefix(1, total - 1, "our restore to index " + cut);
            Path theirsAt = dir.resolve("litestream-at-index.db");
            litestream
                    .restore(theirsAt, db.toString(), "-config", config.toString(), "-index", Long.toHexString(cut))
                    .requireSuccess("litestream restore -index " + Long.toHexString(cut));
            Interop.assertSameBytes(theirsAt, oursAt, "point-in-time restore to index " + cut);
        }
    }
}
