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
        HttpServer server = HttpServer.create(bind, 16);
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/healthz", ex -> {
            Health h = health.get();
            respond(ex, h.ok() ? 200 : 503, h.body());
        });
        server.createContext("/", ex -> respond(ex, 404, "not found: try /metrics or /healthz\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new MetricsServer(server);
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
