package dev.litestack.replicator.engine;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.config.Durations;
import dev.litestack.replicator.replica.LeaseNotHeldException;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.restore.Validator;
import dev.litestack.replicator.util.Log;
import dev.litestack.replicator.util.Scheduler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives one {@link Replica} on its own thread: uploads new WAL data as soon as it appears but at
 * most once per {@code sync-interval}, takes interval snapshots, and after a failure retries with
 * capped exponential backoff and jitter, logging once per change of state. Retention passes run on
 * a separate chores thread: their listings and deletions (key by key on a server that refuses
 * batch deletes, seconds each on some) never hold up an upload, nor the final sync at shutdown.
 */
public final class ReplicaRunner implements AutoCloseable {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How often snapshots, retention and validation are checked for being due. */
    static final Duration HOUSEKEEPING = Duration.ofSeconds(1);
    /**
     * When the first retention pass runs after start (unless {@code retention-check-interval} is shorter): soon, so
     * that a machine that runs for minutes at a time (scaled to zero when idle, a new generation at each boot) still
     * deletes what is past retention.
     */
    static final Duration FIRST_RETENTION = Duration.ofSeconds(5);

    private final Replica replica;
    private final Clock clock;
    private final Log log;
    private final Scheduler exec;
    /** Where retention passes run (in tests, the same scheduler as the replica's work). */
    private final Scheduler chores;
    /** True while a retention pass is queued or under way on {@link #chores}. */
    private final AtomicBoolean retentionRunning = new AtomicBoolean();
    /** Set when the replicator stops: a retention pass under way ends at its next deletion. */
    private volatile boolean stopping;

    private final AtomicReference<Instant> pendingSince = new AtomicReference<>();
    private Scheduler.Task next;
    private volatile Instant lastAttempt = Instant.EPOCH;
    private volatile int failures;
    /** After a write refused for want of the lease: how soon to try again (the lease's poll interval); else null. */
    private volatile Duration leaseRetry;

    private Instant failingSince;
    private volatile Instant nextRetention;
    private Instant nextValidation;
    private final Validator validator;
    private volatile boolean healthy = true;
    private volatile String lastError;

    /** A runner on its own thread, whose retention passes run on {@code chores}. */
    ReplicaRunner(Replica replica, Clock clock, Scheduler chores, Log log) {
        this(
                replica,
                Scheduler.thread("replica-" + replica.db().path().getFileName() + "-" + replica.name(), clock),
                chores,
                log);
    }

    /** A runner whose work, retention passes included, runs on {@code scheduler} and reads its clock. */
    ReplicaRunner(Replica replica, Scheduler scheduler, Log log) {
        this(replica, scheduler, scheduler, log);
    }

    /** A runner whose work runs on {@code scheduler} and reads its clock, and whose retention passes run on {@code chores}. */
    ReplicaRunner(Replica replica, Scheduler scheduler, Scheduler chores, Log log) {
        this.replica = replica;
        this.clock = scheduler.clock();
        this.log = log;
        this.validator = new Validator(replica, log);
        this.exec = scheduler;
        this.chores = chores;
    }

    public Replica replica() {
        return replica;
    }

    /**
     * Seconds the oldest change not yet on the replica has waited (0 when caught up). While the
     * database's own syncs fail, changes cannot even reach the shadow WAL: the lag then runs from
     * the first failure.
     */
    public double lagSeconds() {
        Instant since = pendingSince.get();
        Instant dbFailing = replica.db().failingSince();
        if (dbFailing != null && (since == null || dbFailing.isBefore(since))) {
            since = dbFailing;
        }
        return since == null
                ? 0
                : Math.max(0, Duration.between(since, clock.instant()).toNanos() / 1e9);
    }

    /** False while the replica's uploads fail or the database's syncs fail. */
    public boolean healthy() {
        return healthy && replica.db().syncError() == null;
    }

    /** Validations that matched, and those that failed or mismatched. */
    public long validationsOk() {
        return validator.okCount();
    }

    public long validationErrors() {
        return validator.errorCount();
    }

    /** Why the replica is unhealthy: the database's sync error first, then the upload error; null if healthy. */
    public String lastError() {
        String db = replica.db().syncError();
        return db != null ? "database sync failing: " + db : lastError;
    }

    /** Starts the periodic work (snapshots, retention) and schedules a first sync now. */
    public void start() {
        Duration retention = replica.options().retention();
        if (!retention.isZero() && !retention.isNegative()) {
            Duration every = retentionEvery();
            nextRetention = clock.instant().plus(every.compareTo(FIRST_RETENTION) < 0 ? every : FIRST_RETENTION);
        }
        Duration validation = replica.options().validationInterval();
        if (validation.compareTo(Duration.ZERO) > 0) {
            nextValidation = clock.instant().plus(validation);
        }
        scheduleHousekeeping();
        onChange();
    }

    private void scheduleHousekeeping() {
        try {
            exec.schedule(
                    () -> {
                        housekeeping();
                        scheduleHousekeeping();
                    },
                    HOUSEKEEPING);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Called when the database has new data: schedules an upload respecting the sync interval. */
    void onChange() {
        pendingSince.compareAndSet(null, clock.instant());
        schedule(false);
    }

    /**
     * Schedules the next sync at the earliest time the sync interval (or, after a failure, the
     * backoff) allows. Unless {@code replace}, a sync already waiting to run is kept.
     */
    private synchronized void schedule(boolean replace) {
        if (next != null && !next.isDone()) {
            if (!replace) {
                return;
            }
            next.cancel();
        }
        Duration delay = Duration.between(clock.instant(), earliestNextSync());
        try {
            next = exec.schedule(this::syncOnce, delay.isNegative() ? Duration.ZERO : delay);
        } catch (RejectedExecutionException e) {
            next = null; // shutting down: the final sync happens in close()
        }
    }

    private Instant earliestNextSync() {
        int f = failures;
        Duration wait = f == 0 ? replica.options().syncInterval() : backoff(f);
        Duration leaseRetry = this.leaseRetry;
        if (f > 0 && leaseRetry != null && leaseRetry.compareTo(wait) < 0) {
            // refused for want of the lease: try again as often as the lease may be taken back, not after a backoff
            // that grew while another replicator held it (it may be gone now)
            wait = leaseRetry;
        }
        return lastAttempt.plus(wait);
    }

    static Duration backoff(int failures) {
        long base = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(failures - 1, 16));
        long jitter = ThreadLocalRandom.current().nextLong(base / 5 + 1);
        return Duration.ofMillis(base - base / 10 + jitter);
    }

    private void syncOnce() {
        synchronized (this) {
            next = null; // from here on, a change schedules another run: none is lost while this one runs
        }
        if (stopping) {
            // the replicator is stopping: the final sync ships everything, and a sync begun now would be interrupted
            // when this thread is shut down after it
            return;
        }
        try {
            attempt();
            Pos now = replica.db().position();
            if (now != null && !now.equals(replica.position())) {
                schedule(false);
            }
        } catch (IOException | RuntimeException e) {
            // counted and logged by attempt()
        }
    }

    /**
     * One sync, on the replica's thread, with the bookkeeping: health, error count, lag, one log
     * line when the replica starts failing and one when it recovers (retries log at debug level),
     * and after a failure a retry scheduled after the backoff.
     */
    private void attempt() throws IOException {
        Instant started = clock.instant();
        lastAttempt = started;
        freshenShadow();
        Pos target = replica.db().position();
        try {
            replica.sync();
        } catch (IOException | RuntimeException e) {
            failures++;
            leaseRetry = LeaseNotHeldException.retryAfter(e);
            replica.countSyncError();
            lastError = Log.describe(e);
            if (healthy) {
                failingSince = started;
                log.error(
                        "replica sync failed, retrying with backoff",
                        "db",
                        replica.db().path(),
                        "replica",
                        replica.name(),
                        "error",
                        e);
            } else {
                log.debug(
                        "replica sync still failing",
                        "db",
                        replica.db().path(),
                        "replica",
                        replica.name(),
                        "failures",
                        failures,
                        "error",
                        e);
            }
            healthy = false;
            schedule(true);
            throw e;
        }
        if (!healthy) {
            log.info(
                    "replica sync recovered",
                    "db",
                    replica.db().path(),
                    "replica",
                    replica.name(),
                    "failures",
                    failures,
                    "failing_for",
                    Duration.between(failingSince, clock.instant()).toMillis() / 1000.0 + "s",
                    "position",
                    replica.position());
        }
        failures = 0;
        healthy = true;
        lastError = null;
        Pos now = replica.db().position();
        if (now == null || now.equals(target) || now.equals(replica.position())) {
            pendingSince.set(null);
        } else {
            pendingSince.set(started);
        }
    }

    /**
     * Copies the WAL's newest commits into the shadow WAL just before an upload. While the WAL
     * keeps changing, the monitor copies it once per {@code monitor-interval}, so without this a
     * commit made since its last copy would wait a whole sync interval for the next upload. A
     * failure here is the monitor's to report.
     */
    private void freshenShadow() {
        try {
            replica.db().sync();
        } catch (IOException | RuntimeException e) {
            log.debug("sync before upload failed", "db", replica.db().path(), "error", e);
        }
    }

    private void housekeeping() {
        try {
            if (!healthy || stopping) {
                return;
            }
            if (replica.snapshotDue()) {
                replica.snapshot();
            }
            Instant retentionDue = nextRetention;
            if (retentionDue != null && !clock.instant().isBefore(retentionDue) && !retentionRunning.get()) {
                nextRetention = clock.instant().plus(retentionEvery());
                startRetention();
            }
            if (nextValidation != null && !clock.instant().isBefore(nextValidation)) {
                nextValidation = clock.instant().plus(replica.options().validationInterval());
                if (validator.validate() == Validator.Outcome.SKIPPED) {
                    nextValidation = clock.instant().plus(Duration.ofSeconds(1));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("replica housekeeping failed", "db", replica.db().path(), "replica", replica.name(), "error", e);
        }
    }

    /** How often retention is checked: {@code retention-check-interval}, at most {@code retention}. */
    private Duration retentionEvery() {
        Duration check = replica.options().retentionCheckInterval();
        Duration retention = replica.options().retention();
        return check.compareTo(retention) < 0 && !check.isZero() ? check : retention;
    }

    /**
     * Queues a retention pass on the chores thread. If no snapshot is within retention, the pass deletes nothing and
     * has this thread take one, after which the next check (a second later) runs the pass again.
     */
    private void startRetention() {
        retentionRunning.set(true);
        try {
            chores.submit(() -> {
                try {
                    if (stopping) {
                        return null;
                    }
                    Replica.RetentionOutcome outcome = replica.enforceRetention(() -> stopping);
                    if (outcome == Replica.RetentionOutcome.NEEDS_SNAPSHOT && !stopping) {
                        exec.submit(this::snapshotForRetention);
                    } else if (outcome == Replica.RetentionOutcome.NOT_YET) {
                        nextRetention = clock.instant().plus(FIRST_RETENTION);
                    }
                } catch (IOException | RuntimeException e) {
                    if (stopping) {
                        log.debug("retention pass ended by the stop", "replica", replica.name(), "error", e);
                    } else {
                        log.error("retention failed", "db", replica.db().path(), "replica", replica.name(), "error", e);
                    }
                } finally {
                    retentionRunning.set(false);
                }
                return null;
            });
        } catch (RejectedExecutionException e) {
            retentionRunning.set(false); // shutting down
        }
    }

    /** On the replica's thread: the snapshot a retention pass needs before it may delete; the pass runs again next. */
    private Void snapshotForRetention() {
        if (stopping) {
            return null; // the stop began meanwhile: nothing new is started before the final sync
        }
        try {
            replica.snapshot();
            nextRetention = clock.instant();
        } catch (IOException | RuntimeException e) {
            log.error("replica housekeeping failed", "db", replica.db().path(), "replica", replica.name(), "error", e);
        }
        return null;
    }

    /** Ends retention passes at their next deletion (the replicator is stopping); syncs go on. */
    void stopChores() {
        stopping = true;
    }

    /** Runs a sync on the replica's thread and waits for it; throws its failure. */
    public void syncNow(Duration timeout) throws IOException {
        awaitSync(submitSync(), System.nanoTime() + timeout.toNanos(), timeout);
    }

    /** Queues a sync on the replica's thread (see {@link #awaitSync}). */
    Future<Void> submitSync() {
        return exec.submit(() -> {
            attempt();
            return null;
        });
    }

    /**
     * Waits for a sync from {@link #submitSync} until {@link System#nanoTime()} reaches {@code deadline} ({@code
     * timeout} after the sync was asked for); throws its failure.
     */
    void awaitSync(Future<Void> sync, long deadline, Duration timeout) throws IOException {
        await(sync, deadline, timeout, "syncing");
    }

    /** Takes a snapshot on the replica's thread and waits for it; throws its failure. */
    SnapshotInfo snapshotNow(Duration timeout) throws IOException {
        return runNow(replica::snapshot, timeout, "taking a snapshot");
    }

    /** Enforces retention on the replica's thread and waits for it; throws its failure. */
    void enforceRetentionNow(Duration timeout) throws IOException {
        runNow(
                () -> {
                    replica.enforceRetention();
                    return null;
                },
                timeout,
                "enforcing retention");
    }

    private <T> T runNow(java.util.concurrent.Callable<T> work, Duration timeout, String what) throws IOException {
        return await(exec.submit(work), System.nanoTime() + timeout.toNanos(), timeout, what);
    }

    private <T> T await(Future<T> f, long deadline, Duration timeout, String what) throws IOException {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what + " on replica " + replica.name());
        } catch (TimeoutException e) {
            // not interrupted: an interrupt during a file read closes the channel being read, and a sync reads the
            // database's one long-lived descriptor, whose close would drop SQLite's locks; queued, it will not run
            f.cancel(false);
            throw new IOException(
                    "replica " + replica.name() + " did not finish " + what + " within " + Durations.format(timeout));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(Log.describe(c), c);
        }
    }

    @Override
    public void close() {
        stopping = true;
        exec.close();
    }
}
