package dev.litestack.replicator.db;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters and gauges of one database, read by the metrics endpoint. */
public final class DbStats {

    public final LongAdder syncCount = new LongAdder();
    public final LongAdder syncErrors = new LongAdder();
    public final LongAdder syncNanos = new LongAdder();
    public final LongAdder totalWalBytes = new LongAdder();
    public final Map<String, LongAdder> checkpointCount = new ConcurrentHashMap<>();
    public final Map<String, LongAdder> checkpointErrors = new ConcurrentHashMap<>();
    public final Map<String, LongAdder> checkpointNanos = new ConcurrentHashMap<>();
    public volatile long dbSize;
    public volatile long walSize;
    public volatile long shadowIndex;
    public volatile long shadowSize;

    void checkpoint(String mode, long nanos, boolean error) {
        checkpointCount.computeIfAbsent(mode, k -> new LongAdder()).increment();
        checkpointNanos.computeIfAbsent(mode, k -> new LongAdder()).add(nanos);
        if (error) {
            checkpointErrors.computeIfAbsent(mode, k -> new LongAdder()).increment();
        }
    }
}
