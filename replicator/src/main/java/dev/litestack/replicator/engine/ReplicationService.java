package dev.litestack.replicator.engine;

import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.util.Log;
import dev.litestack.replicator.util.Scheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Replicates a set of databases: one monitor thread syncs every database's shadow WAL when its WAL
 * changes (see {@link DbMonitor} for the cadence), and one runner per replica uploads. {@link
 * #close(Duration)} performs the final sync of everything.
 */
public final class ReplicationService implements AutoCloseable {

    /** How often the WAL of every database is checked for changes. */
    static final Duration POLL = Duration.ofMillis(50);
    /**
     * The poll interval once a database has been idle for a few seconds, if its {@code
     * monitor-interval} is longer (keeps idle CPU low: Litestream checks once a monitor interval).
     */
    static final Duration IDLE_POLL = Duration.ofSeconds(1);

    /** A database and its replicas. */
    public record Entry(Database db, List<Replica> replicas) {}

    private final List<Entry> entries;
    private final List<ReplicaRunner> runners = new ArrayList<>();
    private final List<DbMonitor> monitors = new ArrayList<>();
    private final Clock clock;
    private final Log log;
    private final ScheduledExecutorService monitorThread;
    /** Where every replica's retention passes run, one at a time (null when tests pass schedulers). */
    private final Scheduler chores;

    private final IdleHeapTrim idleTrim =
            new IdleHeapTrim(System::nanoTime, Runtime.getRuntime()::totalMemory, this::collectWhenIdle);
    private boolean closed;

    public ReplicationService(List<Entry> entries, Clock clock, Log log) {
        this(entries, clock, log, null);
    }

    /**
     * @param schedulers where each replica's work runs (tests pass schedulers they advance by
     *                   hand); null gives every replica a thread of its own on {@code clock}
     */
    public ReplicationService(List<Entry> entries, Clock clock, Log log, Function<Replica, Scheduler> schedulers) {
        this.entries = List.copyOf(entries);
        this.clock = clock;
        this.log = log;
        ScheduledThreadPoolExecutor monitor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "db-monitor");
            t.setDaemon(true);
            return t;
        });
        // at close, a poll waiting for its turn is dropped; a poll under way finishes (see close)
        monitor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.monitorThread = monitor;
        this.chores = schedulers == null ? Scheduler.thread("replica-chores", clock) : null;
        for (Entry e : this.entries) {
            monitors.add(new DbMonitor(e.db(), log));
            for (Replica r : e.replicas()) {
                ReplicaRunner runner = schedulers == null
                        ? new ReplicaRunner(r, clock, chores, log)
                        : new ReplicaRunner(r, schedulers.apply(r), log);
                runners.add(runner);
                e.db().addListener(runner::onChange);
            }
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<ReplicaRunner> runners() {
        return runners;
    }

    /**
     * Syncs every database and replica once, in the caller's thread (so start-up errors surface),
     * then starts the background loops. A replica that fails here is retried in the background.
     */
    public void start(Duration firstSyncTimeout) {
        start(firstSyncTimeout, true);
    }

    /**
     * Like {@link #start(Duration)}; with {@code awaitReplicas} false it returns as soon as every
     * database is synced locally (its shadow WAL and generation in place) and the replicas' first
     * uploads (a new generation's snapshot) run on their own threads, at once. {@code replicate
     * -exec} starts the app meanwhile: what it writes is shipped after that snapshot, as any write
     * is, and the final sync at shutdown still waits for all of it.
     */
    public void start(Duration firstSyncTimeout, boolean awaitReplicas) {
        for (Entry e : entries) {
            try {
                e.db().sync();
            } catch (IOException ex) {
                log.error("initial sync failed", "db", e.db().path(), "error", ex);
            }
        }
        for (ReplicaRunner r : awaitReplicas ? runners : List.<ReplicaRunner>of()) {
            try {
                r.syncNow(firstSyncTimeout);
            } catch (IOException ex) {
                // the runner logged the failure, marked the replica unhealthy and scheduled a retry
            }
        }
        for (ReplicaRunner r : runners) {
            r.start(); // schedules a sync now: without the wait above, that is the first upload
        }
        for (DbMonitor m : monitors) {
            if (m.backgroundSync()) {
                schedulePoll(m, Duration.ZERO);
            }
        }
        for (Entry e : entries) {
            if (e.db().options().monitorInterval().isZero()) {
                log.info(
                        "replicating, background sync off (monitor-interval: 0)",
                        "db",
                        e.db().path(),
                        "replicas",
                        e.replicas().size());
            } else {
                log.info(
                        "replicating",
                        "db",
                        e.db().path(),
                        "replicas",
                        e.replicas().size());
            }
            if (!Files.exists(e.db().path())) {
                log.info("database does not exist yet: replicated once it is created", "db", e.db().path());
            }
        }
    }

    private void schedulePoll(DbMonitor m, Duration delay) {
        try {
            monitorThread.schedule(
                    () -> {
                        Duration next = m.pollAndNext();
                        idleTrim.afterPoll(m.lastChangeNanos());
                        schedulePoll(m, next);
                    },
                    delay.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    private void collectWhenIdle() {
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory();
        System.gc();
        log.debug("idle: heap collected", "heap_before", before, "heap_after", rt.totalMemory());
    }

    /**
     * {@code replicate -once}: syncs every database and replica once, optionally takes a snapshot of
     * each database on each replica and enforces retention, then closes (the final sync). No background loop runs.
     * Throws the first failure after attempting everything; every failure is logged.
     */
    public void runOnce(Duration timeout, boolean forceSnapshot, boolean enforceRetention) throws IOException {
        IOException first = syncEverything(timeout, true);
        for (Entry e : entries) {
            // a cron backup of a path that does not exist (a typo, a volume not mounted) must not pass
            if (!Files.exists(e.db().path())) {
                log.error("database does not exist: nothing to replicate", "db", e.db().path());
                first = first == null ? new IOException("database does not exist: " + e.db().path()) : first;
            }
        }
        for (ReplicaRunner r : runners) {
            try {
                if (forceSnapshot) {
                    r.snapshotNow(timeout);
                }
                if (enforceRetention) {
                    r.enforceRetentionNow(timeout);
                }
            } catch (IOException ex) {
                log.error(
                        forceSnapshot ? "snapshot or retention failed" : "retention failed",
                        "db",
                        r.replica().db().path(),
                        "replica",
                        r.replica().name(),
                        "error",
                        ex);
                first = first == null ? ex : first;
            }
        }
        try {
            close(timeout);
        } catch (IOException ex) {
            first = first == null ? ex : first;
        }
        if (first != null) {
            throw first;
        }
    }

    /** Syncs every database and waits until every replica holds everything committed so far. */
    public void syncAll(Duration timeout) throws IOException {
        IOException first = syncEverything(timeout, false);
        if (first != null) {
            throw first;
        }
    }

    /**
     * One sync of every database, then of every replica, the replicas in parallel (each on its own thread) within
     * one {@code timeout} for all; returns the first failure (all are attempted).
     */
    private IOException syncEverything(Duration timeout, boolean finalSync) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException first = null;
        for (Entry e : entries) {
            try {
                e.db().sync();
            } catch (IOException ex) {
                first = first == null ? ex : first;
            }
        }
        List<Future<Void>> syncs = new ArrayList<>();
        for (ReplicaRunner r : runners) {
            syncs.add(r.submitSync());
        }
        for (int i = 0; i < runners.size(); i++) {
            ReplicaRunner r = runners.get(i);
            try {
                r.awaitSync(syncs.get(i), deadline, timeout);
            } catch (IOException ex) {
                if (finalSync) {
                    log.error(
                            "final sync failed",
                            "db",
                            r.replica().db().path(),
                            "replica",
                            r.replica().name(),
                            "error",
                            ex);
                }
                first = first == null ? ex : first;
            }
        }
        return first;
    }

    /**
     * Stops the loops, then runs the final sync: each database copies its last frames and each
     * replica uploads them, bounded by {@code timeout}. Throws if anything could not be shipped.
     */
    public void close(Duration timeout) throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // Not interrupted: an interrupt during a file read closes the channel being read (the
        // database's one long-lived descriptor among them, whose close would drop SQLite's locks)
        // and fails the sync under way. It ends on its own, and only then does the final sync run.
        monitorThread.shutdown();
        try {
            if (!monitorThread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("the database monitor did not stop within 5 s; interrupting it");
                monitorThread.shutdownNow();
                monitorThread.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ReplicaRunner r : runners) {
            r.stopChores();
        }
        IOException first = syncEverything(timeout, true);
        // An upload still under way after a failed final sync (S3 not answering) and a lease release on such a replica
        // each took up to three attempts of 30 s: a stop under a stalled bucket took 131-146 s, past any supervisor's
        // grace period. Each group now runs in parallel and is waited for a bounded time; what is left is abandoned
        // (nothing is lost: the shadow WAL stays, and a lease expires on its own).
        List<Runnable> closing =
                new ArrayList<>(runners.stream().map(r -> (Runnable) r::close).toList());
        if (chores != null) {
            closing.add(chores::close); // a retention pass's deletion under way is abandoned with its thread
        }
        List<Boolean> left = runAll("close-replica", closing, RUNNERS_WAIT);
        long uploads = left.subList(0, runners.size()).stream().filter(b -> b).count();
        if (uploads > 0) {
            log.warn("replica uploads still under way at exit; left to the next start", "replicas", uploads);
        }
        if (chores != null && left.get(runners.size())) {
            log.warn("a retention pass still under way at exit; the next start's first check finishes it");
        }
        List<Runnable> clients = new ArrayList<>();
        for (Entry e : entries) {
            try {
                e.db().close();
            } catch (IOException ex) {
                first = first == null ? ex : first;
            }
            for (Replica r : e.replicas()) {
                clients.add(() -> {
                    try {
                        r.client().close();
                    } catch (Exception ex) {
                        log.warn("closing replica client failed", "replica", r.name(), "error", ex);
                    }
                });
            }
        }
        long releases = runAll("close-client", clients, CLIENTS_WAIT).stream()
                .filter(b -> b)
                .count();
        if (releases > 0) {
            log.warn(
                    "replica clients still closing at exit (a lease release waiting on an unreachable replica; the"
                            + " lease expires on its own)",
                    "replicas",
                    releases);
        }
        if (first != null) {
            throw first;
        }
    }

    /** How long the stop waits for replica uploads still under way after the final sync. */
    static final Duration RUNNERS_WAIT = Duration.ofSeconds(2);
    /** How long the stop waits for replica clients to close (their lease releases). */
    static final Duration CLIENTS_WAIT = Duration.ofSeconds(2);

    /**
     * Runs each task on a daemon thread of its own, waits until all end or {@code within} passes; returns, for each
     * task, whether it is still running.
     */
    private static List<Boolean> runAll(String name, List<Runnable> tasks, Duration within) {
        List<Thread> threads = new ArrayList<>();
        for (Runnable task : tasks) {
            threads.add(Thread.ofPlatform().daemon(true).name(name).start(task));
        }
        long deadline = System.nanoTime() + within.toNanos();
        List<Boolean> left = new ArrayList<>();
        for (Thread t : threads) {
            long wait = deadline - System.nanoTime();
            try {
                if (wait > 0) {
                    t.join(Duration.ofNanos(wait));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            left.add(t.isAlive());
        }
        return left;
    }

    @Override
    public void close() throws IOException {
        close(Duration.ofSeconds(30));
    }
}
