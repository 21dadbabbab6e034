package dev.litestack.replicator.engine;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Gives memory back once the replicator has gone quiet. A burst of writes, or the first snapshot at
 * start, grows the heap (upload buffers of up to one part, LZ4 blocks, the frame copy buffer), and
 * SerialGC returns heap to the system only after a full collection, which an idle replicator never
 * needs: so the heap stayed at its high-water mark for as long as nothing was written. Once no
 * database has changed for {@link #QUIET}, one full collection runs (a few milliseconds on this
 * heap); the upload buffer kept between uploads is only weakly held (S3Upload), so it goes too, and
 * the heap shrinks to its free ratio. The next write re-arms it. Runs on the monitor thread.
 */
final class IdleHeapTrim {

    /** How long every database must have been unchanged before the collection. */
    static final Duration QUIET = Duration.ofSeconds(30);

    private final LongSupplier nanos;
    private final Runnable collect;
    private long lastChange;
    private boolean done;

    IdleHeapTrim(LongSupplier nanos, Runnable collect) {
        this.nanos = nanos;
        this.collect = collect;
        this.lastChange = nanos.getAsLong();
    }

    /**
     * Called after each poll of a database with the time it last saw that database change; runs the
     * collection once every database has been quiet for {@link #QUIET}. Returns true if it ran.
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
        collect.run();
        return true;
    }
}
