package dev.litestack.replicator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.litestack.replicator.engine.ReplicaRunner;
import dev.litestack.replicator.engine.ReplicationService;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The {@code addr} listener: Prometheus text metrics at {@code /metrics} and a health check at
 * {@code /healthz} that answers 503 while any replica lags more than {@code health-max-sync-age} or
 * a database's syncs are failing, with the reason on the replica's line.
 */
public final class MetricsServer implements AutoCloseable {

    private static final String NOT_FOUND = "not found: try /metrics or /healthz\n";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** A health verdict: 200 or 503, with one line per thing checked. */
    public record Health(boolean ok, String body) {}

    /** Starts listening on {@code addr} ({@code host:port}; an empty host means every interface). */
    public static MetricsServer start(String addr, ReplicationService service, Duration maxSyncAge) throws IOException {
        return start(addr, ReplicatorMetrics.register(service), () -> health(service, maxSyncAge));
    }

    /** Serves {@code registry} at {@code /metrics} and {@code health} at {@code /healthz}. */
    public static MetricsServer start(String addr, PrometheusRegistry registry, Supplier<Health> health)
            throws IOException {
        int colon = addr.lastIndexOf(':');
        String host = addr.substring(0, colon);
        int port = Integer.parseInt(addr.substring(colon + 1));
        InetSocketAddress bind = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        limitConnections();
        HttpServer server = HttpServer.create(bind, 16);
        MetricsHandler metrics = new MetricsHandler(registry);
        server.createContext("/metrics", ex -> {
            if (exactly(ex, "/metrics")) {
                metrics.handle(ex);
            }
        });
        server.createContext("/healthz", ex -> {
            if (exactly(ex, "/healthz")) {
                Health h = health.get();
                respond(ex, h.ok() ? 200 : 503, h.body());
            }
        });
        server.createContext("/", ex -> respond(ex, 404, NOT_FOUND));
        // A request is read on the executor's thread: with one thread, one client that sent half a request held
        // every other one (the health check included) for as long as it kept the connection open. A virtual thread
        // per connection, and the JDK server's own limits (see limitConnections), keep clients apart.
        server.setExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("metrics-http-", 0).factory()));
        server.start();
        return new MetricsServer(server);
    }

    /**
     * The JDK server's limits, read once when its classes load, unless set on the command line: a request must
     * arrive in full within 10 s (default: no limit), and at most 64 connections are open at once (default: no
     * limit); past that new ones wait in the accept queue.
     */
    private static void limitConnections() {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "10");
        }
        if (System.getProperty("jdk.httpserver.maxConnections") == null) {
            System.setProperty("jdk.httpserver.maxConnections", "64");
        }
    }

    /** Whether the exchange asks for {@code path} itself with GET or HEAD; else answers 404 or 405 and closes it. */
    private static boolean exactly(HttpExchange ex, String path) throws IOException {
        if (!ex.getRequestURI().getPath().equals(path)) {
            respond(ex, 404, NOT_FOUND);
            return false;
        }
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(ex, 405, "method not allowed: " + path + " answers GET and HEAD\n");
            return false;
        }
        return true;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static Health health(ReplicationService service, Duration maxSyncAge) {
        StringBuilder body = new StringBuilder();
        boolean ok = true;
        double bound = maxSyncAge.toMillis() / 1000.0;
        for (ReplicaRunner r : service.runners()) {
            double lag = r.lagSeconds();
            boolean fine = lag <= bound && r.replica().db().syncError() == null;
            ok &= fine;
            body.append(fine ? "ok    " : "stale ")
                    .append(r.replica().db().path())
                    .append(' ')
                    .append(r.replica().name())
                    .append(String.format(" lag=%.3fs", lag));
            if (r.lastError() != null) {
                body.append(" error=\"")
                        .append(r.lastError().replace('"', '\''))
                        .append('"');
            }
            body.append('\n');
        }
        return new Health(ok, body.toString());
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
