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

/** Snapshots above {@link Restorer#RANGED_ABOVE} download as parallel ranges, from a folder and from S3. */
@Tag("integration")
class RangedSnapshotRestoreTest {

    @TempDir
    Path dir;

    private final Log log = new Log(Log.Level.WARN, false, new PrintStream(new ByteArrayOutputStream()));

    private void restoreBigSnapshot(ReplicaClient client) throws Exception {
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
        new Restorer(4, true, log)
                .restore(RestorePlanner.plan(Map.of("r", client), RestorePlanner.Target.latest()), out);
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
    }

    @Test
    void fromAFolder() throws Exception {
        restoreBigSnapshot(new FileReplicaClient(dir.resolve("replica")));
    }

    @Test
    void fromS3() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start();
                S3ReplicaClient client =
                        S3ReplicaClient.open(server.settings(server.createBucket(), "big.db"), Map.of())) {
            restoreBigSnapshot(client);
            assertTrue(
                    client.operationStats()
                                    .orElseThrow()
                                    .operations(dev.litestack.replicator.replica.OperationStats.Operation.GET)
                            >= 4,
                    "the snapshot came in several ranged GETs");
        }
    }
}
