package dev.litestack.replicator.engine;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Gives memory back once the replicator has gone quiet. A burst of writes, or the first snapshot at
 * start, grows the heap (upload buffers of up to one part, LZ4 blocks, the frame copy buffer), and
 * SerialGC returns heap to the system only after a full collection, which an idle replicator never
 * needs: so the heap stayed at its high-water mark for as long as nothing was written. Once no
 * database has changed for {@link #QUIET}, and if the heap has grown by {@link #GROWTH} or more
 * since the last such collection (or since the start), one full collection runs (tens of
 * milliseconds of CPU, once); the upload buffer kept between uploads is only weakly held
 * (S3Upload), so it goes too, and the heap shrinks to its free ratio. The next write re-arms it; an
 * app that writes a little now and then does not grow the heap, so it does not pay a collection
 * per write. Runs on the monitor thread.
 */
final class IdleHeapTrim {

    /** How long every database must have been unchanged before the collection. */
    static final Duration QUIET = Duration.ofSeconds(30);

    /** How much the committed heap must have grown since the last collection for another one. */
    static final long GROWTH = 8L << 20;

    private final LongSupplier nanos;
    private final LongSupplier committedHeap;
    private final Runnable collect;
    private long lastChange;
    private long committedAfterLast;
    private boolean done;

    /**
     * @param committedHeap the heap's committed size in bytes ({@link Runtime#totalMemory()})
     * @param collect       the full collection ({@link System#gc()})
     */
    IdleHeapTrim(LongSupplier nanos, LongSupplier committedHeap, Runnable collect) {
        this.nanos = nanos;
        this.committedHeap = committedHeap;
        this.collect = collect;
        this.lastChange = nanos.getAsLong();
        this.committedAfterLast = committedHeap.getAsLong();
    }

    /**
     * Called after each poll of a database with the time it last saw that database change; runs the
     * collection once every database has been quiet for {@link #QUIET}, if the heap grew enough.
     * Returns true if it ran.
     */
    boolean afterPoll(long changedAtNanos) {
        if (changedAtNanos - lastChange > 0) {
            lastChange = changedAtNanos;
            done = false;
        }
        if (done || nanos.getAsLong() - lastChange < QUIET.toNanos()) {
            return false;
        }
        done = true;
        if (committedHeap.getAsLong() - committedAfterLast < GROWTH) {
            return false;
        }
        collect.run();
        committedAfterLast = committedHeap.getAsLong();
        return true;
    }
}
