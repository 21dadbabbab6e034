package dev.litestack.replicator.replica;

import dev.litestack.replicator.config.Durations;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The leases of one {@code replicate} process, one per replica: taken before anything is written
 * ({@link #acquireAll}), renewed lazily, and released at clean shutdown (by {@link
 * FencedReplicaClient#close()}). Renewal happens on the writing thread, just before a write to the
 * replica, once a third of the lease's duration has passed since it was taken or renewed: an idle
 * replicator sends no request, and its lease lapses after {@code duration}. The next write then
 * takes it back (a compare-and-swap on the version it holds, so only if no one else wrote the lease
 * in between). A lease held by another replicator is waited for, or is an error, as {@code
 * on-conflict} says; a lease lost while running is taken back once free (wait: retried before
 * writes, at most every third of the duration, up to 5 s), or ends the process through {@code
 * onLost} (exit).
 */
public final class Leases {

    public enum OnConflict {
        WAIT,
        EXIT
    }

    /** Another replicator holds a lease and {@code on-conflict} is {@code exit}. */
    static final class ConflictException extends IOException {
        public ConflictException(String message) {
            super(message);
        }
    }

    private final Map<String, LeaseKeeper> keepers;
    private final OnConflict onConflict;
    private final Log log;
    private final Runnable onLost;
    private final Map<LeaseKeeper, String> lastProblem = new ConcurrentHashMap<>();
    private final Map<LeaseKeeper, Instant> nextAttempt = new ConcurrentHashMap<>();

    /**
     * @param keepers by replica description ({@code file:/backups/app}), in the order to take them
     * @param onLost  called (once) when a lease is lost and {@code on-conflict} is {@code exit}
     */
    public Leases(Map<String, LeaseKeeper> keepers, OnConflict onConflict, Log log, Runnable onLost) {
        this.keepers = keepers;
        this.onConflict = Objects.requireNonNull(onConflict);
        this.log = log;
        this.onLost = onLost;
        for (Map.Entry<String, LeaseKeeper> e : keepers.entrySet()) {
            LeaseKeeper k = e.getValue();
            k.beforeWrite(() -> beforeWrite(e.getKey(), k));
        }
    }

    /** A random holder id for this process (16 hex digits). */
    public static String newHolderId() {
        byte[] b = new byte[8];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** This machine's host name, for the lease's {@code host}. */
    public static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Takes every lease. With {@code wait}, polls a lease held by another replicator until it is
     * free, logging who holds it (once per holder), or until {@code stop} completes (then returns
     * false). With {@code exit}, throws {@link ConflictException} naming the holder.
     */
    public boolean acquireAll(CompletableFuture<?> stop) throws IOException {
        for (Map.Entry<String, LeaseKeeper> e : keepers.entrySet()) {
            LeaseKeeper k = e.getValue();
            Lease seen = null;
            while (true) {
                LeaseKeeper.Outcome o;
                try {
                    o = k.tryAcquire();
                } catch (IOException ex) {
                    throw new IOException(
                            "cannot take the lease " + k.store().describe() + ": " + Log.describe(ex), ex);
                }
                if (o instanceof LeaseKeeper.Acquired) {
                    log.info(
                            "lease taken",
                            "replica",
                            e.getKey(),
                            "lease",
                            k.store().describe(),
                            "duration",
                            Durations.format(k.duration()));
                    break;
                }
                Lease by = ((LeaseKeeper.Held) o).by();
                String msg = "replica " + e.getKey() + " is leased by " + by.who() + " until " + by.expires();
                if (onConflict == OnConflict.EXIT) {
                    throw new ConflictException(msg + "; not replicating (lease on-conflict: exit)");
                }
                if (seen == null || !seen.holder().equals(by.holder())) {
                    log.warn(
                            "another replicator holds the lease, waiting",
                            "replica",
                            e.getKey(),
                            "holder",
                            by.holder(),
                            "host",
                            by.host(),
                            "pid",
                            by.pid(),
                            "until",
                            by.expires());
                    seen = by;
                }
                if (waitOrStop(stop, k.pollInterval())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** True if {@code stop} completed within {@code d}. */
    private static boolean waitOrStop(CompletableFuture<?> stop, Duration d) {
        try {
            stop.get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /**
     * Renews the lease of a replica about to be written, if that is due; takes it back if it was
     * lost or lapsed (not more often than {@link #pollInterval}). Failures are logged, not thrown:
     * the write that follows goes ahead only while the lease is still valid.
     */
    private void beforeWrite(String replica, LeaseKeeper k) {
        if (k.closed() || !k.dueForRenewal()) {
            return;
        }
        synchronized (k) {
            if (!k.dueForRenewal()) {
                return; // another writer of this replica renewed it meanwhile
            }
            Instant now = k.now();
            Instant next = nextAttempt.get(k);
            if (next != null && now.isBefore(next)) {
                return;
            }
            nextAttempt.put(k, now.plus(k.pollInterval()));
            tick(replica, k);
            if (k.valid()) {
                nextAttempt.remove(k);
            }
        }
    }

    private void tick(String replica, LeaseKeeper k) {
        if (k.closed()) {
            return;
        }
        try {
            if (k.held()) {
                if (k.renew()) {
                    problem(k, null, replica);
                    return;
                }
                Lease by = k.lostTo();
                if (by == null) {
                    // no other holder: the lease object itself is gone (the replica's folder or prefix deleted)
                    log.warn(
                            "lease gone from the replica (deleted with the replica's files?); taking it again",
                            "replica",
                            replica,
                            "lease",
                            k.store().describe());
                } else {
                    log.error(
                            "lease lost: another replicator took it; not writing to this replica",
                            "replica",
                            replica,
                            "holder",
                            by.holder(),
                            "host",
                            by.host());
                    if (onConflict == OnConflict.EXIT) {
                        onLost.run();
                        return;
                    }
                }
            }
            if (k.tryAcquire() instanceof LeaseKeeper.Acquired) {
                log.info(
                        "lease taken back",
                        "replica",
                        replica,
                        "lease",
                        k.store().describe());
                problem(k, null, replica);
            }
        } catch (IOException | RuntimeException ex) {
            problem(k, Log.describe(ex), replica);
        }
    }

    /** Logs a renewal failure once, and its recovery once. */
    private void problem(LeaseKeeper k, String error, String replica) {
        String before = lastProblem.get(k);
        if (error != null && before == null) {
            log.warn("cannot renew lease, retrying (writes stop when it expires)", "replica", replica, "error", error);
        } else if (error == null && before != null) {
            log.info("lease renewal recovered", "replica", replica);
        }
        if (error == null) {
            lastProblem.remove(k);
        } else {
            lastProblem.put(k, error);
        }
    }
}
