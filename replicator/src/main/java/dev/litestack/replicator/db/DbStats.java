package dev.litestack.replicator.db;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters and gauges of one database, kept by the database; others read a {@link Snapshot}. */
public final class DbStats {

    /** The counters and gauges at one moment, read by the metrics endpoint. */
    public record Snapshot(
            long syncCount,
            long syncErrors,
            long syncNanos,
            long totalWalBytes,
            Map<String, Long> checkpointCount,
            Map<String, Long> checkpointErrors,
            Map<String, Long> checkpointNanos,
            long dbSize,
            long walSize,
            long shadowIndex,
            long shadowSize) {}

    private final LongAdder syncCount = new LongAdder();
    private final LongAdder syncErrors = new LongAdder();
    private final LongAdder syncNanos = new LongAdder();
    private final LongAdder totalWalBytes = new LongAdder();
    private final Map<String, LongAdder> checkpointCount = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> checkpointErrors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> checkpointNanos = new ConcurrentHashMap<>();
    private volatile long dbSize;
    private volatile long walSize;
    private volatile long shadowIndex;
    private volatile long shadowSize;

    void sync(long nanos, boolean error) {
        syncCount.increment();
        syncNanos.add(nanos);
        if (error) {
            syncErrors.increment();
        }
    }

    void copied(long walBytes) {
        totalWalBytes.add(walBytes);
    }

    void sizes(long db, long wal, long index, long shadow) {
        dbSize = db;
        walSize = wal;
        shadowIndex = index;
        shadowSize = shadow;
    }

    void checkpoint(CheckpointMode mode, long nanos, boolean error) {
        checkpointCount.computeIfAbsent(mode.name(), k -> new LongAdder()).increment();
        checkpointNanos.computeIfAbsent(mode.name(), k -> new LongAdder()).add(nanos);
        if (error) {
            checkpointErrors.computeIfAbsent(mode.name(), k -> new LongAdder()).increment();
        }
    }

    Snapshot snapshot() {
        return new Snapshot(
                syncCount.sum(),
                syncErrors.sum(),
                syncNanos.sum(),
                totalWalBytes.sum(),
                sums(checkpointCount),
                sums(checkpointErrors),
                sums(checkpointNanos),
                dbSize,
                walSize,
                shadowIndex,
                shadowSize);
    }

    private static Map<String, Long> sums(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
