package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.engine.ReplicaRunner;
import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.metrics.MetricsServer;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.restore.RestorePlanner;
import dev.litestack.replicator.restore.Restorer;
import dev.litestack.replicator.testing.AppDb;
import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A database replicated to an S3 bucket by a running {@link ReplicationService}, an application
 * that commits one row at a time on a schedule, the metrics endpoint, and a captured log.
 */
final class S3ReplicationHarness implements AutoCloseable {

    static final Duration SYNC_INTERVAL = Duration.ofMillis(100);
    static final Duration HEALTH_MAX_SYNC_AGE = Duration.ofSeconds(2);

    final Path dir;
    final Path dbPath;
    final AppDb app;
    final S3ReplicaClient client;
    final ReplicationService service;
    final MetricsServer metrics;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final Log log;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger committed = new AtomicInteger();
    private final AtomicReference<Exception> writerFailure = new AtomicReference<>();

    /**
     * @param minCheckpointPages the database's PASSIVE checkpoint threshold (sets the size of a WAL index)
     */
    S3ReplicationHarness(Path dir, S3Settings settings, int minCheckpointPages) throws Exception {
        this(dir, settings, minCheckpointPages, null);
    }

    /**
     * @param scheduler where the replica's work runs and the clock it reads (a test's
     *                  {@code ManualScheduler}); null for a real thread on the system clock
     */
    S3ReplicationHarness(
            Path dir, S3Settings settings, int minCheckpointPages, dev.litestack.replicator.util.Scheduler scheduler)
            throws Exception {
        this.dir = dir;
        this.dbPath = dir.resolve("app.db");
        this.log = new Log(
                Log.Level.INFO, false, new PrintStream(new Tee(logBytes, System.out), true, StandardCharsets.UTF_8));
        this.app = new AppDb(dbPath);
        Database.Options d = Database.Options.defaults(dbPath);
        Database db = new Database(
                new Database.Options(
                        d.path(),
                        d.metaPath(),
                        d.monitorInterval(),
                        d.checkpointInterval(),
                        minCheckpointPages,
                        Math.max(minCheckpointPages * 2, 10_000)),
                Clock.systemUTC(),
                log);
        this.client = S3ReplicaClient.open(settings, Map.of());
        client.verify();
        Clock clock = scheduler == null ? Clock.systemUTC() : scheduler.clock();
        Replica replica = new Replica(
                db,
                client,
                new Replica.Options("s3", SYNC_INTERVAL, Duration.ZERO, Duration.ofHours(24), Duration.ofHours(1)),
                clock,
                log);
        this.service = new ReplicationService(
                List.of(new ReplicationService.Entry(db, List.of(replica))),
                clock,
                log,
                scheduler == null ? null : r -> scheduler);
        service.start(Duration.ofSeconds(30));
        this.metrics = MetricsServer.start("127.0.0.1:0", service, HEALTH_MAX_SYNC_AGE);
    }

    ReplicaRunner runner() {
        return service.runners().get(0);
    }

    Replica replica() {
        return runner().replica();
    }

    /** Starts committing one row every {@code every}. */
    void startWriting(Duration every) {
        writer.scheduleWithFixedDelay(
                () -> {
                    int next = committed.get();
                    try {
                        app.insert(next, next + 1);
                        committed.set(next + 1);
                    } catch (Exception e) {
                        writerFailure.compareAndSet(null, e);
                        throw new IllegalStateException(e);
                    }
                },
                0,
                every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops the writer and returns the number of committed rows (ids 0..n-1). */
    int stopWriting() throws Exception {
        writer.shutdown();
        if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new AssertionError("writer did not stop");
        }
        if (writerFailure.get() != null) {
            throw new AssertionError("the application's writes failed", writerFailure.get());
        }
        return committed.get();
    }

    int committed() {
        return committed.get();
    }

    /** Restores the latest state from the bucket into a new file and returns its path. */
    Path restore(String name) throws IOException {
        Path out = dir.resolve(name);
        new Restorer(4, true, log)
                .restore(RestorePlanner.plan(Map.of("s3", client), RestorePlanner.Target.latest()), out);
        return out;
    }

    /** The captured log so far. */
    String logText() {
        synchronized (logBytes) {
            return logBytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Log lines containing {@code text}. */
    List<String> logLines(String text) {
        return logText().lines().filter(l -> l.contains(text)).toList();
    }

    /** HTTP status of {@code GET /healthz}. */
    int healthStatus() throws Exception {
        return get("/healthz").statusCode();
    }

    /** The value of a per-replica gauge on {@code /metrics}, e.g. {@code litestream_replica_healthy}. */
    double metric(String name) throws Exception {
        String body = get("/metrics").body();
        return body.lines()
                .filter(l -> l.startsWith(name + "{"))
                .filter(l -> l.contains("name=\"s3\""))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing from /metrics:\n" + body));
    }

    /** The whole {@code /metrics} text. */
    String metricsText() throws Exception {
        return get("/metrics").body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        writer.shutdownNow();
        metrics.close();
        try {
            service.close(Duration.ofSeconds(30));
        } finally {
            app.close();
        }
    }

    /** Writes to the capture buffer and to stdout (the surefire report). */
    private static final class Tee extends OutputStream {
        private final ByteArrayOutputStream buffer;
        private final PrintStream echo;

        Tee(ByteArrayOutputStream buffer, PrintStream echo) {
            this.buffer = buffer;
            this.echo = echo;
        }

        @Override
        public void write(int b) {
            synchronized (buffer) {
                buffer.write(b);
            }
            echo.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (buffer) {
                buffer.write(b, off, len);
            }
            echo.write(b, off, len);
        }
    }
}
