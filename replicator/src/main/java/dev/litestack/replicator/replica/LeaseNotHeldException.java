package dev.litestack.replicator.replica;

import java.io.IOException;
import java.time.Duration;

/**
 * A write refused because this replicator does not hold the replica's lease. The writer should try again after
 * {@link #retryAfter()}, the lease's poll interval, not after a long backoff: the lease may be free again by then
 * (its holder stopped or died), and taking it back happens only before a write.
 */
public final class LeaseNotHeldException extends IOException {

    private final transient Duration retryAfter;

    public LeaseNotHeldException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** When to try the write again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The retry interval of a lease refusal in {@code e}'s cause chain, or null if there is none. */
    public static Duration retryAfter(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LeaseNotHeldException l) {
                return l.retryAfter;
            }
        }
        return null;
    }
}
