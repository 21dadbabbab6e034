package dev.litestack.replicator.replica.s3;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.ReplicaLayout;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.restore.RestoreException;
import dev.litestack.replicator.restore.RestorePlan;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import dev.litestack.replicator.util.Lz4;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Objects that change between planning a restore and reading them (retention deleting them,
 * another writer replacing them) make the restore fail with a message naming the object; it never
 * yields a database that silently differs from the replica's state, and leaves no file behind.
 */
@Tag("integration")
class S3RestoreChangesTest {

    private static S3ProxyServer server;
    private static S3Client raw;

    private final Log log = new Log(Log.Level.INFO, false, System.out);

    @TempDir
    Path dir;

    private S3ReplicaClient client;
    private String generation;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
        raw = server.sdkClient();
    }

    @AfterAll
    static void stopServer() throws Exception {
        raw.close();
        server.close();
    }

    /** A replica with a snapshot and several WAL segments holding rows 0..39. */
    @BeforeEach
    void replicate() throws Exception {
        client = S3ReplicaClient.open(server.settings(server.createBucket(), "app"), Map.of());
        Path dbPath = dir.resolve("app.db");
        try (AppDb app = new AppDb(dbPath);
                Database db = new Database(Database.Options.defaults(dbPath), Clock.systemUTC(), log)) {
            Replica replica = new Replica(db, client, Replica.Options.defaults("s3"), Clock.systemUTC(), log);
            for (int round = 0; round < 4; round++) {
                app.insert(round * 10, round * 10 + 10);
                db.sync();
                replica.sync();
            }
            generation = db.position().generation();
        }
        assertTrue(client.walSegments(generation).size() >= 4);
    }

    private RestorePlan plan() throws Exception {
        return RestorePlanner.plan(Map.of("s3", client), RestorePlanner.Target.latest());
    }

    private String key(String relative) {
        return client.settings().key(relative);
    }

    private void put(String relative, byte[] body) {
        raw.putObject(r -> r.bucket(client.settings().bucket()).key(key(relative)), RequestBody.fromBytes(body));
    }

    private RestoreException restoreFails(RestorePlan plan, Path out) {
        RestoreException e = assertThrows(RestoreException.class, () -> new Restorer(4, true, log).restore(plan, out));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of(),
                    files.filter(p -> p.getFileName().toString().startsWith("restored"))
                            .toList(),
                    "nothing left behind");
        } catch (IOException io) {
            throw new AssertionError(io);
        }
        return e;
    }

    @Test
    void unchangedReplicaRestoresEveryRow() throws Exception {
        Path out = dir.resolve("restored.db");
        new Restorer(4, true, log).restore(plan(), out);
        assertEquals(AppDb.range(0, 40), AppDb.ids(out));
    }

    @Test
    void segmentDeletedAfterPlanningFailsNamingIt() throws Exception {
        RestorePlan plan = plan();
        WalSegmentInfo victim = plan.segments().get(plan.segments().size() / 2);
        String relative = ReplicaLayout.walSegmentKey(generation, victim.index(), victim.offset());
        raw.deleteObject(r -> r.bucket(client.settings().bucket()).key(key(relative)));

        RestoreException e = restoreFails(plan, dir.resolve("restored.db"));
        assertTrue(e.getMessage().contains("disappeared") && e.getMessage().contains(relative), e.getMessage());
    }

    @Test
    void snapshotDeletedAfterPlanningFailsNamingIt() throws Exception {
        RestorePlan plan = plan();
        String relative = ReplicaLayout.snapshotKey(generation, plan.snapshot().index());
        raw.deleteObject(r -> r.bucket(client.settings().bucket()).key(key(relative)));

        RestoreException e = restoreFails(plan, dir.resolve("restored.db"));
        assertTrue(
                e.getMessage().contains("snapshot disappeared")
                        && e.getMessage().contains(relative),
                e.getMessage());
    }

    @Test
    void snapshotReplacedAfterPlanningFailsInsteadOfMixingStates() throws Exception {
        RestorePlan plan = plan();
        String relative = ReplicaLayout.snapshotKey(generation, plan.snapshot().index());
        byte[] other = otherDatabaseSnapshot();
        assertNotEquals(plan.snapshot().size(), other.length, "the replacement differs in size");
        put(relative, other);

        RestoreException e = restoreFails(plan, dir.resolve("restored.db"));
        assertTrue(
                e.getMessage().contains("changed during the restore")
                        && e.getMessage().contains(relative),
                e.getMessage());
    }

    @Test
    void snapshotReplacedBySameSizeObjectIsCaughtByItsNewTimestamp() throws Exception {
        RestorePlan plan = plan();
        String relative = ReplicaLayout.snapshotKey(generation, plan.snapshot().index());
        byte[] same;
        try (InputStream in = client.openSnapshot(generation, plan.snapshot().index())) {
            same = in.readAllBytes();
        }
        // Same bytes, written again later: LastModified moves on (S3 keeps whole seconds).
        await("the next second")
                .atMost(Duration.ofSeconds(5))
                .until(() -> Instant.now().getEpochSecond()
                        > plan.snapshot().createdAt().getEpochSecond());
        put(relative, same);

        RestoreException e = restoreFails(plan, dir.resolve("restored.db"));
        assertTrue(e.getMessage().contains("changed during the restore"), e.getMessage());
    }

    @Test
    void segmentReplacedAfterPlanningFails() throws Exception {
        RestorePlan plan = plan();
        WalSegmentInfo victim = plan.segments().get(1);
        WalSegmentInfo donor = plan.segments().get(2);
        byte[] donorBytes;
        try (InputStream in = client.openWalSegment(donor.pos())) {
            donorBytes = in.readAllBytes();
        }
        put(ReplicaLayout.walSegmentKey(generation, victim.index(), victim.offset()), donorBytes);

        RestoreException e = restoreFails(plan, dir.resolve("restored.db"));
        assertTrue(
                e.getMessage().contains(ReplicaLayout.walSegmentKey(generation, victim.index(), victim.offset())),
                e.getMessage());
    }

    /** An LZ4 snapshot of another database with the same schema and page size but other rows. */
    private byte[] otherDatabaseSnapshot() throws Exception {
        Path other = dir.resolve("other").resolve("other.db");
        Files.createDirectories(other.getParent());
        try (AppDb app = new AppDb(other)) {
            app.insert(1000, 1003);
            app.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream lz4 = Lz4.compress(bytes)) {
            lz4.write(Files.readAllBytes(other));
        }
        return bytes.toByteArray();
    }
}
