package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.cli.Main;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.testing.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misconfigured S3 replica stops {@code replicate} and {@code restore} at once with a non-zero
 * exit and one line that names the replica and what is wrong (run in-process through {@link Main#run}).
 */
@Tag("integration")
class S3CliErrorsTest {

    private static S3ProxyServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /** The result of one CLI run. */
    record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true)));
        return new Run(code, out.toString(), err.toString());
    }

    /** A config with one database and one S3 replica named {@code offsite}; without an endpoint when it is null. */
    private Path config(String bucket, String endpoint, String secret) throws Exception {
        Path db = dir.resolve("app.db");
        Path file = dir.resolve("litestream.yml");
        Files.writeString(file, """
                dbs:
                  - path: %s
                    replicas:
                      - name: offsite
                        type: s3
                        bucket: %s
                        path: backups/app
                %s        region: us-east-1
                        access-key-id: %s
                        secret-access-key: %s
                """.formatted(
                        db,
                        bucket,
                        endpoint == null ? "" : "        endpoint: " + endpoint + "\n",
                        S3ProxyServer.ACCESS_KEY,
                        secret));
        return file;
    }

    private static void assertError(Run run, String... words) {
        assertEquals(ExitCodes.ERROR, run.code(), "exit code; stderr: " + run.err());
        for (String w : words) {
            assertTrue(run.err().contains(w), "\"" + w + "\" missing from stderr: " + run.err());
        }
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("error: ")).count(), run.err());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void replicateWithWrongSecretFailsAtStartNamingTheReplica() throws Exception {
        String bucket = server.createBucket();
        Path cfg = config(bucket, server.endpoint(), "wrong-secret");
        new AppDb(dir.resolve("app.db")).close();
        Run run = cli("replicate", "-config", cfg.toString());
        assertError(
                run,
                "replica offsite",
                dir.resolve("app.db").toString(),
                "s3://" + bucket + "/backups/app",
                "access denied",
                "secret-access-key");
        assertTrue(server.keys(bucket).isEmpty(), "nothing written");
    }

    /**
     * SIGTERM while the bucket has stopped answering (connections accepted, nothing ever answered): the stop takes the
     * shutdown timeout and bounded waits for the upload under way and the lease release (2 s each), not their full
     * retries (three 30 s attempts each: 131-146 s, past any supervisor's grace period, Fly's 45 s among them).
     */
    @Test
    void aStopWhileTheBucketStallsEndsWithinItsBounds() throws Exception {
        String bucket = server.createBucket();
        Path db = dir.resolve("app.db");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 3);
        }
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port())) {
            Path cfg = config(bucket, proxy.endpoint(), S3ProxyServer.SECRET_KEY);
            Files.writeString(cfg, "shutdown-timeout: 2s\n" + Files.readString(cfg));
            Process p = Cli.start(dir, "replicate", "-config", cfg.toString());
            org.awaitility.Awaitility.await("the first snapshot in the bucket")
                    .atMost(Duration.ofSeconds(30))
                    .until(() ->
                            !p.isAlive() || server.keys(bucket).stream().anyMatch(k -> k.endsWith(".snapshot.lz4")));
            assertTrue(p.isAlive(), Cli.output(dir));
            proxy.setFault(FaultInjectingProxy.Fault.STALL);
            try (AppDb app = new AppDb(db)) {
                app.insert(3, 6);
            }
            long start = System.nanoTime();
            p.destroy();
            Cli.Result r = Cli.await(p, dir);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(ExitCodes.ERROR, r.code(), r.toString());
            assertTrue(r.toString().contains("final sync failed"), r.toString());
            // 2 s of final sync, at most 2 s each for the upload under way and the lease release, and slack; the
            // retries of the old stop took over 100 s
            assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "stopped after " + took + ": " + r);
        }
    }

    /**
     * Litestream 0.3.13 takes no endpoint from the environment: a replica without {@code endpoint} is AWS S3, even
     * where {@code AWS_ENDPOINT_URL_S3} is set (every Fly machine with Tigris storage). Here AWS cannot be reached (or
     * refuses the test's keys), so the run fails; what matters is that nothing went to the variables' endpoint.
     */
    @Test
    void aReplicaWithoutAnEndpointIsAwsWhateverTheEndpointVariablesSay() throws Exception {
        String bucket = server.createBucket();
        Path db = dir.resolve("app.db");
        try (AppDb app = new AppDb(db)) {
            app.insert(0, 3);
        }
        Path cfg = config(bucket, null, S3ProxyServer.SECRET_KEY);
        Cli.Result run = Cli.exec(
                dir,
                Map.of("AWS_ENDPOINT_URL_S3", server.endpoint(), "AWS_ENDPOINT_URL", server.endpoint()),
                "replicate",
                "-once",
                "-config",
                cfg.toString());
        assertEquals(ExitCodes.ERROR, run.code(), run.toString());
        assertTrue(run.err().contains("AWS S3"), run.err());
        assertTrue(server.keys(bucket).isEmpty(), "nothing went to the endpoint of the variables");
    }

    @Test
    void replicateWithMissingBucketFailsAtStart() throws Exception {
        Run run = cli(
                "replicate",
                "-config",
                config("no-such-bucket", server.endpoint(), S3ProxyServer.SECRET_KEY)
                        .toString());
        assertError(run, "replica offsite", "bucket not found: no-such-bucket");
    }

    @Test
    void replicateWithClosedPortFailsAtStartNamingTheEndpoint() throws Exception {
        String endpoint = "http://127.0.0.1:" + closedPort();
        Run run = cli(
                "replicate",
                "-config",
                config(server.createBucket(), endpoint, S3ProxyServer.SECRET_KEY)
                        .toString());
        assertError(run, "replica offsite", "cannot reach endpoint " + endpoint);
    }

    @Test
    void replicateWithUnknownHostFailsAtStart() throws Exception {
        Run run = cli(
                "replicate",
                "-config",
                config(server.createBucket(), "http://no-such-host.invalid:9000", S3ProxyServer.SECRET_KEY)
                        .toString());
        assertError(run, "replica offsite", "cannot reach endpoint http://no-such-host.invalid:9000", "unknown host");
    }

    @Test
    void restoreWithWrongSecretFailsNamingTheReplica() throws Exception {
        String bucket = server.createBucket();
        Path out = dir.resolve("restored.db");
        Run run = cli(
                "restore",
                "-config",
                config(bucket, server.endpoint(), "wrong-secret").toString(),
                "-o",
                out.toString(),
                dir.resolve("app.db").toString());
        assertError(
                run,
                "cannot restore " + out + " from the replicas of " + dir.resolve("app.db") + ": ",
                "replica offsite",
                "s3://" + bucket + "/backups/app",
                "access denied");
        assertFalse(run.err().contains("Exception"), "no exception class names for the user: " + run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void restoreWithClosedPortFailsNamingTheEndpoint() throws Exception {
        String endpoint = "http://127.0.0.1:" + closedPort();
        Path out = dir.resolve("restored.db");
        Run run = cli(
                "restore",
                "-config",
                config(server.createBucket(), endpoint, S3ProxyServer.SECRET_KEY)
                        .toString(),
                "-o",
                out.toString(),
                dir.resolve("app.db").toString());
        assertError(run, "replica offsite", "cannot reach endpoint " + endpoint);
        assertFalse(Files.exists(out));
    }

    @Test
    void restoreFromAnEmptyBucketSaysNoBackups() throws Exception {
        Run run = cli(
                "restore",
                "-config",
                config(server.createBucket(), server.endpoint(), S3ProxyServer.SECRET_KEY)
                        .toString(),
                "-o",
                dir.resolve("restored.db").toString(),
                dir.resolve("app.db").toString());
        assertError(run, "no matching backups found");
    }
}
