package dev.litestack.replicator.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.replica.s3.S3ReplicaClient;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots above {@link Restorer#RANGED_ABOVE} go through {@link RangedDownload}: over one stream or as
 * parallel ranges, from a folder and from S3.
 */
@Tag("integration")
class RangedSnapshotRestoreTest {

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.WARN, false, new PrintStream(new ByteArrayOutputStream()));

    /** Restores a 14 MiB snapshot plus WAL with {@code restorer}; returns the number of WAL segments it read. */
    private int restoreBigSnapshot(ReplicaClient client, Restorer restorer) throws Exception {
        Path dbPath = dir.resolve("app.db");
        try (AppDb app = new AppDb(dbPath)) {
            app.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)");
            app.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 14) "
                    + "INSERT INTO blobs (b) SELECT randomblob(1024 * 1024) FROM n");
            app.insert(0, 50);
            try (Database db = new Database(Database.Options.defaults(dbPath), Clock.systemUTC(), log)) {
                Replica replica = new Replica(db, client, Replica.Options.defaults("r"), Clock.systemUTC(), log);
                db.sync();
                replica.sync();
                app.insert(50, 60);
                db.sync();
                replica.sync();
                SnapshotInfo snap = client.snapshots(db.position().generation()).get(0);
                assertTrue(snap.size() > Restorer.RANGED_ABOVE, "snapshot large enough to be ranged: " + snap.size());
            }
        }
        Path out = dir.resolve("restored.db");
        RestorePlan plan = RestorePlanner.plan(Map.of("r", client), RestorePlanner.Target.latest());
        restorer.restore(plan, out);
        assertEquals(AppDb.range(0, 60), AppDb.ids(out));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out);
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*), sum(length(b)) FROM blobs")) {
            rs.next();
            assertEquals(14, rs.getInt(1));
            assertEquals(14L * 1024 * 1024, rs.getLong(2));
        }
        assertEquals(
                List.of("restored.db"),
                Files.list(dir)
                        .map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("restored") || n.startsWith(".restored"))
                        .toList());
        return plan.segments().size();
    }

    @Test
    void fromAFolder() throws Exception {
        restoreBigSnapshot(new FileReplicaClient(dir.resolve("replica")), new Restorer(4, true, log));
    }

    @Test
    void fromS3AsRangesWhenTheFirstChunkIsSlow() throws Exception {
        // a minimum rate no link reaches: the first chunk always counts as slow
        long[] gets = restoreFromS3(new Restorer(4, IntegrityCheck.FULL, log, Long.MAX_VALUE));
        assertTrue(gets[0] - gets[1] >= 4, "the whole-object GET plus at least 3 ranges: " + gets[0] + " GETs");
    }

    @Test
    void fromS3OverOneStreamWhenTheFirstChunkIsFast() throws Exception {
        long[] gets = restoreFromS3(new Restorer(4, IntegrityCheck.FULL, log, 0));
        assertEquals(1, gets[0] - gets[1], "one GET for the snapshot, one per WAL segment: " + gets[0] + " GETs");
    }

    /** {GETs in all, WAL segments restored}. */
    private long[] restoreFromS3(Restorer restorer) throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
                S3ReplicaClient client =
                        S3ReplicaClient.open(server.settings(server.createBucket(), "big.db"), Map.of())) {
            int segments = restoreBigSnapshot(client, restorer);
            long gets = client.operationStats()
                    .orElseThrow()
                    .operations(dev.litestack.replicator.replica.OperationStats.Operation.GET);
            return new long[] {gets, segments};
        }
    }
}
