package dev.litestack.replicator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.engine.ReplicaRunner;
import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.ManualScheduler;
import dev.litestack.replicator.testing.MutableClock;
import dev.litestack.replicator.util.FileTrees;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database whose own syncs keep failing makes its replicas unhealthy, with the reason, until a sync succeeds. */
class DatabaseSyncHealthTest {

    @TempDir
    Path dir;

    @Test
    void failingDatabaseSyncsShowInHealthzAndMetricsUntilTheyRecover() throws Exception {
        Path dbPath = dir.resolve("app.db");
        MutableClock clock = new MutableClock(Instant.now());
        ManualScheduler scheduler = new ManualScheduler(clock);
        Log log = new Log(
                Log.Level.INFO, false, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try (AppDb app = new AppDb(dbPath)) {
            app.insert(0, 10);
            Database db = new Database(Database.Options.defaults(dbPath), clock, log);
            Replica replica = new Replica(
                    db,
                    new FileReplicaClient(dir.resolve("replica"), clock),
                    Replica.Options.defaults("file"),
                    clock,
                    log);
            ReplicationService service = new ReplicationService(
                    List.of(new ReplicationService.Entry(db, List.of(replica))), clock, log, r -> scheduler);
            db.sync();
            ReplicaRunner runner = service.runners().get(0);
            runner.syncNow(Duration.ofSeconds(10));
            try (MetricsServer metrics = MetricsServer.start("127.0.0.1:0", service, Duration.ofMinutes(1))) {
                assertEquals(200, get(metrics, "/healthz").statusCode());

                // The meta folder becomes a plain file: every sync of the shadow WAL now fails.
                Path meta = db.options().metaPath();
                FileTrees.delete(meta);
                Files.writeString(meta, "in the way");
                app.insert(10, 20);
                assertThrows(db);
                clock.advance(Duration.ofSeconds(5));
                assertThrows(db);
                assertFalse(runner.healthy());
                assertTrue(runner.lagSeconds() >= 5, "lag counts from the first failure: " + runner.lagSeconds());
                HttpResponse<String> h = get(metrics, "/healthz");
                assertEquals(503, h.statusCode(), h.body());
                assertTrue(
                        h.body().contains("error=\"database sync failing: ")
                                && h.body().contains(meta.toString()),
                        h.body());
                assertEquals(0.0, healthy(metrics));

                Files.delete(meta);
                db.sync();
                runner.syncNow(Duration.ofSeconds(10));
                assertTrue(runner.healthy());
                assertEquals(0.0, runner.lagSeconds());
                assertEquals(200, get(metrics, "/healthz").statusCode());
                assertEquals(1.0, healthy(metrics));
            } finally {
                service.close(Duration.ofSeconds(10));
            }
        }
    }

    private static void assertThrows(Database db) {
        try {
            db.sync();
        } catch (IOException e) {
            return;
        }
        throw new AssertionError("sync succeeded with the meta folder in the way");
    }

    private static double healthy(MetricsServer m) throws Exception {
        String body = get(m, "/metrics").body();
        return body.lines()
                .filter(l -> l.startsWith("litestream_replica_healthy{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no litestream_replica_healthy in\n" + body));
    }

    private static HttpResponse<String> get(MetricsServer m, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
