package dev.litestack.replicator.follow;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.metrics.MetricsServer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/** The metrics and health of {@code restore -f}, for the {@code -addr} listener. */
public final class FollowMetrics {

    private FollowMetrics() {}

    public static PrometheusRegistry register(Follower f) {
        PrometheusRegistry reg = new PrometheusRegistry();
        gauge(
                reg,
                f,
                "litestream_follow_lag_seconds",
                "Seconds since the output last held everything on the replica (grows during an outage).",
                Follower::lagSeconds);
        gauge(
                reg,
                f,
                "litestream_follow_wal_index",
                "The applied position: WAL index.",
                x -> x.applied() == null ? 0 : x.applied().index());
        gauge(
                reg,
                f,
                "litestream_follow_wal_offset",
                "The applied position: offset in its WAL index.",
                x -> x.applied() == null ? 0 : x.applied().offset());
        gauge(
                reg,
                f,
                "litestream_follow_healthy",
                "1 if the last poll succeeded, else 0.",
                x -> x.lastError() == null ? 1 : 0);
        counter(
                reg,
                f,
                "litestream_follow_transactions",
                "Transactions applied to the output.",
                Follower::transactions);
        counter(reg, f, "litestream_follow_errors", "Failed polls.", Follower::errors);
        counter(
                reg,
                f,
                "litestream_follow_restores",
                "Full restores (the first one, new generations, gaps).",
                Follower::restores);
        return reg;
    }

    /** 200 while the lag is at most {@code maxLag}, else 503; the line names the output, position and error. */
    public static MetricsServer.Health health(Follower f, Duration maxLag) {
        double lag = f.lagSeconds();
        boolean ok = lag <= maxLag.toMillis() / 1000.0;
        Pos p = f.applied();
        StringBuilder b = new StringBuilder(ok ? "ok    " : "stale ")
                .append(f.output())
                .append(' ')
                .append(f.replicaName())
                .append(String.format(" lag=%.3fs", lag))
                .append(" position=")
                .append(p);
        if (f.lastError() != null) {
            b.append(" error=\"").append(f.lastError().replace('"', '\'')).append('"');
        }
        return new MetricsServer.Health(ok, b.append('\n').toString());
    }

    private static void gauge(
            PrometheusRegistry reg, Follower f, String name, String help, ToDoubleFunction<Follower> v) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("db", "name")
                .callback(cb -> cb.call(v.applyAsDouble(f), f.output().toString(), String.valueOf(f.replicaName())))
                .register(reg);
    }

    private static void counter(
            PrometheusRegistry reg, Follower f, String name, String help, ToDoubleFunction<Follower> v) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("db", "name")
                .callback(cb -> cb.call(v.applyAsDouble(f), f.output().toString(), String.valueOf(f.replicaName())))
                .register(reg);
    }
}
