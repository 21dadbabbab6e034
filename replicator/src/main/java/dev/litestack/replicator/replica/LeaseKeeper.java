package dev.litestack.replicator.replica;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One replicator's hold on one replica's lease. Every step reads the stored lease first and then
 * writes with a compare-and-swap on the version it read, and a write is read back before it
 * counts, so a store that ignores the condition is still caught at the next step. The writer may
 * write while {@link #valid()}: it holds the lease and its own expiry has not passed. Renewal is
 * lazy: {@link #beforeWrite()} runs the hook that {@link Leases} installs, which renews only once
 * the lease is {@link #dueForRenewal() due} (a third of its duration after it was taken or last
 * renewed), so an idle replicator sends no request for its lease.
 */
public final class LeaseKeeper {

    /** What an attempt to take the lease found. */
    public sealed interface Outcome permits Acquired, Held {}

    record Acquired() implements Outcome {}

    /** Another holder's live lease. */
    record Held(Lease by) implements Outcome {}

    private final LeaseStore store;
    private final String holder;
    private final String host;
    private final long pid;
    private final Duration duration;
    private final Clock clock;
    private volatile String version;
    private volatile Instant expiresAt;
    private volatile Instant renewAfter;
    private volatile Runnable beforeWrite = () -> {};
    private volatile Lease lostTo;
    private volatile boolean closed;
    /** How many times the lease was taken from nobody or from another holder. */
    private volatile long takings;

    public LeaseKeeper(LeaseStore store, String holder, String host, long pid, Duration duration, Clock clock) {
        this.store = store;
        this.holder = holder;
        this.host = host;
        this.pid = pid;
        this.duration = duration;
        this.clock = clock;
    }

    public LeaseStore store() {
        return store;
    }

    public Duration duration() {
        return duration;
    }

    /**
     * How often a replicator without the lease tries to take it (waiting for it, or before its writes once it was
     * lost): a third of the duration, between 100 ms and 5 s.
     */
    public Duration pollInterval() {
        Duration third = duration.dividedBy(3);
        return third.compareTo(Duration.ofMillis(100)) < 0
                ? Duration.ofMillis(100)
                : third.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : third;
    }

    /** True while this keeper holds the lease and its expiry (on this clock) is ahead. */
    boolean valid() {
        Instant until = expiresAt;
        return version != null && until != null && clock.instant().isBefore(until);
    }

    /** True if the lease is not held, or a third of its duration has passed since it was taken or renewed. */
    boolean dueForRenewal() {
        Instant after = renewAfter;
        return version == null || after == null || !clock.instant().isBefore(after);
    }

    /** Installs what {@link #beforeWrite()} runs (renewal on demand, {@link Leases}). */
    void beforeWrite(Runnable hook) {
        this.beforeWrite = hook;
    }

    /** Called by {@link FencedReplicaClient} before each write or delete, ahead of its {@link #valid()} check. */
    void beforeWrite() {
        beforeWrite.run();
    }

    Instant now() {
        return clock.instant();
    }

    /** The holder that took the lease away (null if none did). */
    Lease lostTo() {
        return lostTo;
    }

    /**
     * How many times this keeper took the lease when none was stored (the first time, or after the lease object
     * was deleted, as with the replica's whole folder) or from another holder; not when it took back its own
     * lapsed lease, which nobody touched meanwhile.
     */
    public long takings() {
        return takings;
    }

    boolean held() {
        return version != null;
    }

    /** One attempt: takes the lease if there is none, it is free, or it is already ours. */
    public synchronized Outcome tryAcquire() throws IOException {
        if (closed) {
            throw new IOException("lease " + store.describe() + " was released");
        }
        Instant now = clock.instant();
        Lease mine = new Lease(holder, host, pid, now.plus(duration), false);
        LeaseStore.Stored cur = store.read();
        String written;
        if (cur == null) {
            written = store.create(mine);
        } else if (!cur.lease().holder().equals(holder) && !cur.lease().freeAt(now) && !deadHere(cur.lease())) {
            return new Held(cur.lease());
        } else {
            written = store.replace(mine, cur.version());
        }
        LeaseStore.Stored check = store.read();
        if (written == null
                || check == null
                || !check.lease().holder().equals(holder)
                || !check.lease().expires().equals(mine.expires())) {
            version = null;
            if (check == null) {
                throw new IOException("lease " + store.describe() + " disappeared right after it was written");
            }
            return new Held(check.lease());
        }
        version = check.version();
        expiresAt = mine.expires();
        renewAfter = now.plus(duration.dividedBy(3));
        lostTo = null;
        if (cur == null || !cur.lease().holder().equals(holder)) {
            takings++; // written under this monitor only
        }
        return new Acquired();
    }

    /**
     * Extends the lease by {@code duration} from now. Returns false (and stops being valid) if it
     * was lost: another holder's lease is stored, or the version moved on. Throws if the store
     * cannot be reached; the lease then stays valid until its expiry.
     */
    synchronized boolean renew() throws IOException {
        if (closed) {
            return true; // released at shutdown: nothing to renew, nothing lost
        }
        String v = version;
        if (v == null) {
            return false;
        }
        Instant now = clock.instant();
        LeaseStore.Stored cur = store.read();
        if (cur == null || !cur.version().equals(v) || !cur.lease().holder().equals(holder)) {
            return lost(cur);
        }
        Lease mine = new Lease(holder, host, pid, now.plus(duration), false);
        String written = store.replace(mine, v);
        LeaseStore.Stored check = written == null ? store.read() : null;
        if (written == null) {
            return lost(check);
        }
        version = written;
        expiresAt = mine.expires();
        renewAfter = now.plus(duration.dividedBy(3));
        return true;
    }

    /**
     * A lease of this host whose process is gone: its pid is not running, or it is our own pid
     * (a restarted container often gets the same pid). Taken at once instead of after its expiry.
     */
    private boolean deadHere(Lease l) {
        return l.host().equals(host)
                && (l.pid() == pid || ProcessHandle.of(l.pid()).isEmpty());
    }

    private boolean lost(LeaseStore.Stored cur) {
        version = null;
        expiresAt = null;
        lostTo = cur == null ? null : cur.lease();
        return false;
    }

    /** True once {@link #release()} ran: the keeper takes and renews nothing any more. */
    boolean closed() {
        return closed;
    }

    /** Marks the lease free (clean shutdown), if this keeper still holds it. */
    public synchronized void release() throws IOException {
        closed = true;
        String v = version;
        if (v == null) {
            return;
        }
        version = null;
        expiresAt = null;
        LeaseStore.Stored cur = store.read();
        if (cur != null && cur.version().equals(v) && cur.lease().holder().equals(holder)) {
            store.replace(new Lease(holder, host, pid, clock.instant(), true), v);
        }
    }
}
