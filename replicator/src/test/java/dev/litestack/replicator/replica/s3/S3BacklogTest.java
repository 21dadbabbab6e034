package dev.litestack.replicator.replica.s3;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.engine.ReplicaRunner;
import dev.litestack.replicator.replica.ReplicaLayout;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.testing.AppDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A long outage leaves a large backlog (50 MB of WAL) in the shadow WAL on disk; after recovery
 * it ships as one streamed segment per WAL index, each sent in parts of the configured part size,
 * so memory stays at one part buffer however large the backlog.
 */
@Tag("integration")
class S3BacklogTest {

    static final int BLOBS = 50;
    static final int BLOB_SIZE = 1 << 20;
    /** PASSIVE checkpoint threshold: WAL indexes of 24 MB or more, so each backlog segment spans several parts. */
    static final int CHECKPOINT_PAGES = 6000;

    @TempDir
    Path dir;

    @Test
    void fiftyMegabyteBacklogShipsAsStreamedSegments() throws Exception {
        int partSize = S3Settings.MIN_PART_SIZE;
        try (S3ProxyServer server = S3ProxyServer.start();
                S3Client raw = server.sdkClient()) {
            S3Settings settings = server.settings(server.createBucket(), "app");
            settings = settings.withTuning(settings.tuning().withPartSize(partSize));
            try (S3ReplicationHarness h = new S3ReplicationHarness(dir, settings, CHECKPOINT_PAGES)) {
                ReplicaRunner runner = h.runner();
                h.app.insert(0, 10);
                await("first rows replicated")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> runner.healthy()
                                && runner.lagSeconds() == 0
                                && h.replica()
                                        .db()
                                        .position()
                                        .equals(h.replica().position()));
                Pos before = h.replica().position();

                server.stop();
                h.app.insert(10, 11);
                await("failure reported").atMost(Duration.ofSeconds(10)).until(() -> !runner.healthy());
                h.app.exec("CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
                writeBlobs(h.app.connection());
                h.app.insert(11, 20);
                await("backlog in the shadow WAL")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> shadowBytes(h) >= (long) BLOBS * BLOB_SIZE);
                Pos backlogEnd = h.replica().db().position();

                server.restart();
                await("backlog shipped")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> runner.healthy()
                                && h.replica().position() != null
                                && h.replica().position().compareInGeneration(backlogEnd) >= 0);

                List<WalSegmentInfo> shipped = h.client.walSegments(before.generation()).stream()
                        .filter(s -> s.pos().compareInGeneration(before) >= 0)
                        .toList();
                long big = 0;
                for (WalSegmentInfo s : shipped) {
                    if (s.size() > partSize) {
                        big++;
                        String key = settings.key(ReplicaLayout.walSegmentKey(s.generation(), s.index(), s.offset()));
                        String etag = raw.headObject(r ->
                                        r.bucket(h.client.settings().bucket()).key(key))
                                .eTag();
                        long parts = (s.size() + partSize - 1) / partSize;
                        assertTrue(
                                etag.replace("\"", "").endsWith("-" + parts),
                                "segment " + s.pos() + " (" + s.size() + " bytes) was uploaded in " + parts
                                        + " parts, etag " + etag);
                    }
                }
                // One segment per WAL index (one or more, depending on when the checkpoints ran).
                assertTrue(big >= 1, "large backlog segments: " + shipped);
                assertEquals(
                        backlogEnd.index() - before.index() + 1,
                        shipped.stream()
                                .filter(s -> s.pos().compareInGeneration(backlogEnd) < 0)
                                .count(),
                        "one segment per WAL index: " + shipped);
                assertTrue(shipped.stream().mapToLong(WalSegmentInfo::size).sum() >= (long) BLOBS * BLOB_SIZE);
                assertEquals(1, h.logLines("replica sync recovered").size(), h.logText());

                h.service.syncAll(Duration.ofSeconds(60));
                Path restored = h.restore("restored.db");
                assertEquals(AppDb.range(0, 20), AppDb.ids(restored));
                assertBlobs(restored);
            }
        }
    }

    private static void writeBlobs(Connection c) throws Exception {
        Random random = new Random(42);
        byte[] blob = new byte[BLOB_SIZE];
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs (id, b) VALUES (?, ?)")) {
            for (int i = 0; i < BLOBS; i++) {
                random.nextBytes(blob);
                ps.setInt(1, i);
                ps.setBytes(2, blob);
                ps.executeUpdate();
            }
        }
    }

    private static void assertBlobs(Path db) throws Exception {
        Random random = new Random(42);
        byte[] want = new byte[BLOB_SIZE];
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toUri() + "?immutable=1");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, b FROM blobs ORDER BY id")) {
            int n = 0;
            while (rs.next()) {
                random.nextBytes(want);
                assertEquals(n, rs.getInt(1));
                assertArrayEquals(want, rs.getBytes(2), "blob " + n);
                n++;
            }
            assertEquals(BLOBS, n);
        }
    }

    /** Bytes held in the shadow WAL files of the current generation. */
    private static long shadowBytes(S3ReplicationHarness h) throws Exception {
        Path meta = h.dir.resolve(".app.db-litestream");
        try (Stream<Path> files = Files.walk(meta)) {
            return files.filter(p -> p.toString().endsWith(".wal"))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }
}
