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

    void markSynced(Instant at, Pos dbPos) {
        lastSyncAt = at;
        lastSyncedDbPos = dbPos;
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
