package dev.litestack.replicator.metrics;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.db.DbStats;
import dev.litestack.replicator.engine.ReplicaRunner;
import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.replica.OperationStats;
import dev.litestack.replicator.replica.ReplicaClient;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Registers the replicator's metrics with Litestream's names. Litestream's counters whose names do
 * not end in {@code _total} ({@code litestream_sync_count}, ...) keep their exact names, so existing
 * dashboards and alerts work; the Prometheus Java client would otherwise append {@code _total}, so
 * they are exposed with the gauge type (their values only ever grow).
 */
final class ReplicatorMetrics {

    private ReplicatorMetrics() {}

    public static PrometheusRegistry register(ReplicationService service) {
        PrometheusRegistry reg = new PrometheusRegistry();
        perDb(reg, service, "litestream_db_size", "The size of the database file, in bytes.", s -> s.dbSize());
        perDb(reg, service, "litestream_wal_size", "The size of the real WAL file, in bytes.", s -> s.walSize());
        perDb(
                reg,
                service,
                "litestream_total_wal_bytes",
                "Bytes copied into the shadow WAL (monotonic).",
                s -> s.totalWalBytes());
        perDb(reg, service, "litestream_shadow_wal_index", "The current shadow WAL index.", s -> s.shadowIndex());
        perDb(
                reg,
                service,
                "litestream_shadow_wal_size",
                "The size of the current shadow WAL file, in bytes.",
                s -> s.shadowSize());
        perDb(reg, service, "litestream_sync_count", "Shadow WAL syncs (monotonic).", s -> s.syncCount());
        perDb(reg, service, "litestream_sync_error_count", "Failed shadow WAL syncs (monotonic).", s -> s.syncErrors());
        perDb(
                reg,
                service,
                "litestream_sync_seconds",
                "Time spent syncing the shadow WAL (monotonic).",
                s -> s.syncNanos() / 1e9);
        perMode(
                reg,
                service,
                "litestream_checkpoint_count",
                "Checkpoints by mode (monotonic).",
                DbStats.Snapshot::checkpointCount,
                1);
        perMode(
                reg,
                service,
                "litestream_checkpoint_error_count",
                "Failed checkpoints by mode (monotonic).",
                DbStats.Snapshot::checkpointErrors,
                1);
        perMode(
                reg,
                service,
                "litestream_checkpoint_seconds",
                "Time spent checkpointing by mode (monotonic).",
                DbStats.Snapshot::checkpointNanos,
                1e-9);
        perReplica(
                reg,
                service,
                "litestream_replica_wal_bytes",
                "Uncompressed WAL bytes uploaded (monotonic).",
                r -> r.replica().stats().walBytes());
        perReplica(
                reg,
                service,
                "litestream_replica_wal_index",
                "The replica's position: WAL index.",
                r -> pos(r) == null ? 0 : pos(r).index());
        perReplica(
                reg,
                service,
                "litestream_replica_wal_offset",
                "The replica's position: offset in its WAL index.",
                r -> pos(r) == null ? 0 : pos(r).offset());
        perReplica(
                reg,
                service,
                "litestream_replica_lag_seconds",
                "Seconds the oldest change not yet on the replica has waited; 0 when caught up.",
                ReplicaRunner::lagSeconds);
        perReplica(
                reg,
                service,
                "litestream_replica_sync_error_count",
                "Failed replica syncs (monotonic).",
                r -> r.replica().stats().syncErrors());
        perReplica(
                reg,
                service,
                "litestream_replica_snapshot_count",
                "Snapshots written (monotonic).",
                r -> r.replica().stats().snapshots());
        perReplica(
                reg,
                service,
                "litestream_replica_healthy",
                "1 if the replica's last sync succeeded, else 0.",
                r -> r.healthy() ? 1 : 0);
        CounterWithCallback.builder()
                .name("litestream_replica_validation")
                .help("Replica validations by outcome.")
                .labelNames("db", "name", "status")
                .callback(cb -> {
                    for (ReplicaRunner r : service.runners()) {
                        String db = r.replica().db().path().toString();
                        cb.call(r.validationsOk(), db, r.replica().name(), "ok");
                        cb.call(r.validationErrors(), db, r.replica().name(), "error");
                    }
                })
                .register(reg);
        operations(reg, service);
        return reg;
    }

    /** The last position known to be on the replica: it stays put during an outage instead of dropping to 0. */
    private static Pos pos(ReplicaRunner r) {
        return r.replica().stats().shipped();
    }

    private static void perDb(
            PrometheusRegistry reg,
            ReplicationService svc,
            String name,
            String help,
            ToDoubleFunction<DbStats.Snapshot> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("db")
                .callback(cb -> {
                    for (ReplicationService.Entry e : svc.entries()) {
                        cb.call(
                                value.applyAsDouble(e.db().stats()),
                                e.db().path().toString());
                    }
                })
                .register(reg);
    }

    private static void perMode(
            PrometheusRegistry reg,
            ReplicationService svc,
            String name,
            String help,
            java.util.function.Function<DbStats.Snapshot, Map<String, Long>> map,
            double scale) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("db", "mode")
                .callback(cb -> {
                    for (ReplicationService.Entry e : svc.entries()) {
                        map.apply(e.db().stats())
                                .forEach((mode, v) ->
                                        cb.call(v * scale, e.db().path().toString(), mode));
                    }
                })
                .register(reg);
    }

    private static void perReplica(
            PrometheusRegistry reg,
            ReplicationService svc,
            String name,
            String help,
            ToDoubleFunction<ReplicaRunner> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("db", "name")
                .callback(cb -> {
                    for (ReplicaRunner r : svc.runners()) {
                        cb.call(
                                value.applyAsDouble(r),
                                r.replica().db().path().toString(),
                                r.replica().name());
                    }
                })
                .register(reg);
    }

    private static void operations(PrometheusRegistry reg, ReplicationService svc) {
        CounterWithCallback.builder()
                .name("litestream_replica_operation")
                .help("Replica operations by type (s3 only, as in Litestream).")
                .labelNames("replica_type", "operation")
                .callback(cb -> perType(svc, (type, op, stats) -> cb.call(stats.operations(op), type, op.name())))
                .register(reg);
        // Litestream's name has no _total: exposed as a gauge so that the name stays exact (see the class comment)
        GaugeWithCallback.builder()
                .name("litestream_replica_operation_bytes")
                .help("Bytes transferred by replica operations (s3 only, monotonic).")
                .labelNames("replica_type", "operation")
                .callback(cb -> perType(svc, (type, op, stats) -> cb.call(stats.bytes(op), type, op.name())))
                .register(reg);
    }

    private interface OperationSink {
        void accept(String replicaType, OperationStats.Operation op, OperationStats stats);
    }

    /** Sums the counts over every replica of each type that keeps them, and reports them per type and operation. */
    private static void perType(ReplicationService svc, OperationSink out) {
        Map<String, OperationStats> sums = new TreeMap<>();
        for (ReplicaRunner r : svc.runners()) {
            ReplicaClient client = r.replica().client();
            client.operationStats().ifPresent(s -> sums.merge(client.type(), s, OperationStats::plus));
        }
        sums.forEach((type, stats) -> {
            for (OperationStats.Operation op : OperationStats.Operation.values()) {
                out.accept(type, op, stats);
            }
        });
    }
}
