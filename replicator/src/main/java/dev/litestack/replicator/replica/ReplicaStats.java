package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/** Counters and gauges of one replica, read by metrics and health. */
public final class ReplicaStats {

    public final LongAdder walBytes = new LongAdder();
    public final LongAdder snapshots = new LongAdder();
    public final LongAdder syncErrors = new LongAdder();
    private volatile Instant lastSyncAt;
    private volatile Pos lastSyncedDbPos;
    private volatile Pos shipped;

    void markSynced(Instant at, Pos dbPos) {
        lastSyncAt = at;
        lastSyncedDbPos = dbPos;
    }

    void markShipped(Pos pos) {
        shipped = pos;
    }

    /**
     * The end of the last WAL data known to be on the replica, or null if none yet. Unlike
     * {@link Replica#position()}, which is forgotten after a failed sync until the replica is
     * listed again, this keeps its value through an outage (for the position gauges).
     */
    public Pos shipped() {
        return shipped;
    }

    /** When the replica last caught up with the database, or null if never. */
    public Instant lastSyncAt() {
        return lastSyncAt;
    }

    /** The database position the replica had caught up with at its last successful sync. */
    public Pos lastSyncedDbPos() {
        return lastSyncedDbPos;
    }
}
