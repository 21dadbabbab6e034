package dev.litestack.replicator.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsServerTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Log log = new Log(Log.Level.INFO, false, new PrintStream(new ByteArrayOutputStream()));

    private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private ReplicationService service(Path db, Path replicaRoot) {
        Database database = new Database(Database.Options.defaults(db), Clock.systemUTC(), log);
        Replica replica = new Replica(
                database, new FileReplicaClient(replicaRoot), Replica.Options.defaults("file"), Clock.systemUTC(), log);
        return new ReplicationService(
                List.of(new ReplicationService.Entry(database, List.of(replica))), Clock.systemUTC(), log);
    }

    @Test
    void clientsThatSendHalfARequestDoNotHoldTheHealthCheck() throws Exception {
        try (MetricsServer server = MetricsServer.start(
                        "127.0.0.1:0",
                        new io.prometheus.metrics.model.registry.PrometheusRegistry(),
                        () -> new MetricsServer.Health(true, "ok\n"));
                java.net.Socket a = new java.net.Socket("127.0.0.1", server.port());
                java.net.Socket b = new java.net.Socket("127.0.0.1", server.port())) {
            for (java.net.Socket slow : List.of(a, b)) {
                slow.getOutputStream()
                        .write("GET /metrics HTTP/1.1\r\nHost: x\r\n"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                slow.getOutputStream().flush();
            }
            HttpResponse<String> health = get(server, "/healthz");
            assertEquals(200, health.statusCode());
            assertEquals("ok\n", health.body());
            assertEquals(404, get(server, "/healthzfoo").statusCode(), "no prefix match");
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        }
    }

    @Test
    void exposesLitestreamMetricNamesAndHealthyWhenCaughtUp() throws Exception {
        Path db = dir.resolve("app.db");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 10);
            ReplicationService svc = service(db, dir.resolve("replica"));
            svc.start(Duration.ofSeconds(30));
            try (MetricsServer server = MetricsServer.start("127.0.0.1:0", svc, Duration.ofSeconds(30))) {
                app.insert(10, 20);
                svc.syncAll(Duration.ofSeconds(30));
                String body = get(server, "/metrics").body();
                String label = "{db=\"" + db.toAbsolutePath() + "\"}";
                for (String name : List.of(
                        "litestream_db_size",
                        "litestream_wal_size",
                        "litestream_total_wal_bytes",
                        "litestream_shadow_wal_index",
                        "litestream_shadow_wal_size",
                        "litestream_sync_count",
                        "litestream_sync_error_count",
                        "litestream_sync_seconds")) {
                    assertTrue(body.contains(name + label), name + " missing in:\n" + body);
                }
                assertTrue(body.contains("litestream_replica_wal_bytes{db="), body);
                assertTrue(body.contains("litestream_replica_lag_seconds{db="), body);
                assertTrue(body.contains("litestream_checkpoint_count{db="), body);
                HttpResponse<String> health = get(server, "/healthz");
                assertEquals(200, health.statusCode(), health.body());
                assertTrue(health.body().startsWith("ok"), health.body());
                assertEquals(404, get(server, "/nope").statusCode());
            } finally {
                svc.close(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void healthTurnsUnhealthyWhenAReplicaCannotCatchUp() throws Exception {
        Path db = dir.resolve("app.db");
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "a file where the replica folder should be");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 5);
            ReplicationService svc = service(db, blocked);
            svc.start(Duration.ofSeconds(30));
            try (MetricsServer server = MetricsServer.start("127.0.0.1:0", svc, Duration.ofMillis(500))) {
                app.insert(5, 10);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    HttpResponse<String> h = get(server, "/healthz");
                    assertEquals(503, h.statusCode(), h.body());
                    assertTrue(h.body().contains("stale"), h.body());
                });
                String body = get(server, "/metrics").body();
                assertTrue(
                        body.contains(
                                "litestream_replica_healthy{db=\"" + db.toAbsolutePath() + "\",name=\"file\"} 0.0"),
                        body);
            } finally {
                try {
                    svc.close(Duration.ofSeconds(5));
                } catch (java.io.IOException expected) {
                    // the final sync cannot succeed either
                }
            }
        }
    }
}
