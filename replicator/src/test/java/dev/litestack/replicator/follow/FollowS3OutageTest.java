package dev.litestack.replicator.follow;

import static dev.litestack.replicator.follow.FollowHarness.ROWS;
import static dev.litestack.replicator.follow.FollowHarness.awaitRows;
import static dev.litestack.replicator.follow.FollowHarness.rows;
import static dev.litestack.replicator.follow.FollowHarness.write;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.follow.FollowHarness.FollowerProcess;
import dev.litestack.replicator.follow.FollowHarness.Reader;
import dev.litestack.replicator.replica.s3.S3ProxyServer;
import dev.litestack.replicator.testing.Cli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore -f} following an S3 replica (s3proxy) written by this repo's {@code replicate}:
 * through an outage of the S3 server it backs off, reports the growing lag in its metrics and
 * health, and catches up when the server is back.
 */
@Tag("integration")
class FollowS3OutageTest {

    @TempDir
    Path dir;

    private S3ProxyServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        server = S3ProxyServer.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*} ([0-9.eE+-]+)$").matcher(body);
        assertTrue(m.find(), name + " missing in:\n" + body);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void backsOffThroughAnOutageReportsTheLagAndCatchesUp() throws Exception {
        Path db = dir.resolve("app.db");
        Path out = dir.resolve("replica-host/app.db");
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(cfg, """
                dbs:
                  - path: %s
                    replicas:
                      - name: offsite
                        type: s3
                        bucket: %s
                        path: backups/app
                        endpoint: %s
                        region: us-east-1
                        access-key-id: %s
                        secret-access-key: %s
                        sync-interval: 100ms
                """.formatted(
                db, server.createBucket(), server.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        FollowHarness.createPrimary(db);
        write(db, 1, 1);
        Path primaryDir = Files.createDirectories(dir.resolve("primary"));
        Process primary = Cli.start(primaryDir, "replicate", "-config", cfg.toString());
        try {
            await("first backup")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> Cli.exec(
                                    Files.createDirectories(dir.resolve("probe")),
                                    "generations",
                                    "-config",
                                    cfg.toString(),
                                    db.toString())
                            .out()
                            .contains("offsite"));
            FollowerProcess follower = FollowerProcess.start(
                    dir.resolve("f"),
                    "restore",
                    "-f",
                    "-follow-interval",
                    "200ms",
                    "-addr",
                    "127.0.0.1:0",
                    "-health-max-lag",
                    "2s",
                    "-config",
                    cfg.toString(),
                    "-o",
                    out.toString(),
                    db.toString());
            int port = follower.metricsPort();
            awaitRows(out, ROWS, Duration.ofSeconds(60));
            Reader reader = Reader.start(out, dir);
            write(db, 2, 30);
            awaitRows(out, 30L * ROWS, Duration.ofSeconds(60));
            await("healthy")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> get(port, "/healthz").statusCode() == 200);

            server.stop();
            write(db, 31, 40);
            await("lag reported").atMost(Duration.ofSeconds(60)).until(() -> {
                String m = get(port, "/metrics").body();
                return metric(m, "litestream_follow_lag_seconds") > 2
                        && metric(m, "litestream_follow_healthy") == 0
                        && metric(m, "litestream_follow_errors_total") >= 2;
            });
            HttpResponse<String> health = get(port, "/healthz");
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("error="), health.body());
            assertEquals(30L * ROWS, rows(out), "readers keep the last state during the outage");

            server.restart();
            awaitRows(out, 40L * ROWS, Duration.ofSeconds(90));
            await("recovered")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> get(port, "/healthz").statusCode() == 200);
            String m = get(port, "/metrics").body();
            assertTrue(metric(m, "litestream_follow_transactions_total") >= 39, m);
            assertTrue(follower.log().contains("follow failed, retrying with backoff"), follower.log());
            assertTrue(follower.log().contains("follow recovered"), follower.log());

            assertTrue(reader.stopAndCheck() > 0);
            assertEquals(0, follower.terminate(), follower.log());
            assertEquals(40L * ROWS, rows(out));
        } finally {
            primary.destroy();
            primary.waitFor();
        }
    }
}
