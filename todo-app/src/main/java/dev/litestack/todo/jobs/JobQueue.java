package dev.litestack.todo.jobs;

import dev.litestack.todo.logging.QuietLog;
import dev.litestack.todo.sqlite.SqliteStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable job queue in its own SQLite file (queue.db): enqueue (after the surrounding data transaction commits),
 * delays and scheduled times, named queues with priorities, a worker pool in this process, retries with
 * exponential backoff and jitter, a dead-job store that is collected after a retention, and crash safety through
 * leases: a job claimed by a process that dies runs again once its lease expires.
 */
public final class JobQueue implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
    /** Maintenance failures (reaping, pruning): each kind logged once, then counted. */
    private static final QuietLog MAINTENANCE_FAILURES =
            new QuietLog(LOG, Clock.systemUTC(), Duration.ofMinutes(1), 20);

    private static final int GC_BATCH = 500;

    private final QueueSettings settings;
    private final SqliteStore store;
    private final SqliteStore surrounding;
    private final Map<String, JobHandler<?>> handlers;
    private final PayloadCodec codec;
    private final Clock clock;
    private final String workerId;
    private final Dispatcher dispatcher;
    private final GroupInsert inserts;
    private final ScheduledExecutorService maintenance;
    private volatile boolean closed;

    private JobQueue(
            QueueSettings settings,
            SqliteStore store,
            SqliteStore surrounding,
            Map<String, JobHandler<?>> handlers,
            PayloadCodec codec,
            Clock clock) {
        this.settings = settings;
        this.store = store;
        this.surrounding = surrounding;
        this.handlers = handlers;
        this.codec = codec;
        this.clock = clock;
        this.workerId = ProcessHandle.current().pid() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        this.dispatcher =
                settings.workers() > 0 ? new Dispatcher(settings, store, handlers, codec, clock, workerId) : null;
        this.inserts = new GroupInsert(store);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jobs-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens queue.db and starts the workers, heartbeats, lease reaper and dead-job collector.
     *
     * @param surrounding the data store whose open write transaction delays an enqueue until commit; may be null
     */
    public static JobQueue start(
            QueueSettings settings,
            Collection<? extends JobHandler<?>> handlers,
            PayloadCodec codec,
            Clock clock,
            SqliteStore surrounding) {
        Map<String, JobHandler<?>> byName = new HashMap<>();
        for (JobHandler<?> h : handlers) {
            JobHandler<?> previous = byName.put(h.name(), h);
            if (previous != null) {
                throw new IllegalStateException("two job handlers are named '" + h.name() + "': "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        SqliteStore store = SqliteStore.open("queue", settings.store());
        JobQueue queue = new JobQueue(settings, store, surrounding, Map.copyOf(byName), codec, clock);
        queue.begin();
        return queue;
    }

    private void begin() {
        long heartbeat = settings.heartbeatInterval().toMillis();
        maintenance.scheduleWithFixedDelay(
                guard("heartbeat", this::heartbeat), heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        long reap = settings.reapInterval().toMillis();
        maintenance.scheduleWithFixedDelay(guard("reaper", this::reapExpired), 0, reap, TimeUnit.MILLISECONDS);
        long gc = settings.gcInterval().toMillis();
        maintenance.scheduleWithFixedDelay(guard("dead-job gc", this::collectDead), gc, gc, TimeUnit.MILLISECONDS);
        if (dispatcher != null) {
            dispatcher.start();
        }
        LOG.info(
                "job queue {} started: worker {}, {} workers, queues {}",
                store.path(),
                workerId,
                settings.workers(),
                settings.queues());
    }

    private static Runnable guard(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                MAINTENANCE_FAILURES.error(
                        "job queue " + what + " failed, will try again at the next interval: " + e.getMessage(), e);
            }
        };
    }

    /** Enqueues a job on the default queue to run now. */
    public OptionalLong enqueue(String handler, Object payload) {
        return enqueue(handler, payload, EnqueueOptions.now());
    }

    /**
     * Enqueues a job. Inside a write transaction of the surrounding data store on this thread the job is inserted
     * only after that transaction commits (and not at all if it rolls back); the result is then empty. Otherwise
     * the job is inserted at once and its id returned. Either way the insert returns only after its transaction
     * committed; concurrent inserts share one transaction ({@link GroupInsert}).
     */
    public OptionalLong enqueue(String handler, Object payload, EnqueueOptions options) {
        int priority = check(handler, options);
        String json = codec.encode(payload);
        if (surrounding != null && surrounding.inTransaction()) {
            surrounding.afterCommit(() -> insert(handler, json, options, priority));
            return OptionalLong.empty();
        }
        return OptionalLong.of(insert(handler, json, options, priority));
    }

    /** Enqueues many jobs of one handler in a single transaction (not deferred); returns how many. */
    public int enqueueAll(String handler, List<?> payloads, EnqueueOptions options) {
        int priority = check(handler, options);
        long now = clock.millis();
        int maxAttempts = options.maxAttempts() > 0 ? options.maxAttempts() : settings.maxAttempts();
        int count = store.write(s -> {
            for (Object payload : payloads) {
                s.queryLong(
                        "enqueue",
                        options.queue(),
                        priority,
                        handler,
                        codec.encode(payload),
                        options.runAtMillis(now),
                        maxAttempts,
                        now);
            }
            return payloads.size();
        });
        wake();
        return count;
    }

    private int check(String handler, EnqueueOptions options) {
        if (closed) {
            throw new IllegalStateException("job queue " + store.path() + " is closed");
        }
        if (!handlers.containsKey(handler)) {
            throw new IllegalArgumentException(
                    "no job handler named '" + handler + "' (known: " + handlers.keySet() + ")");
        }
        Integer priority = settings.queues().get(options.queue());
        if (priority == null) {
            throw new IllegalArgumentException("unknown queue '" + options.queue() + "' (app.queue.queues: "
                    + settings.queues().keySet() + ")");
        }
        return priority;
    }

    private long insert(String handler, String json, EnqueueOptions options, int priority) {
        long now = clock.millis();
        int maxAttempts = options.maxAttempts() > 0 ? options.maxAttempts() : settings.maxAttempts();
        long id = inserts.insert(new GroupInsert.Row(
                options.queue(), priority, handler, json, options.runAtMillis(now), maxAttempts, now));
        wake();
        return id;
    }

    /** Wakes the dispatcher now, e.g. after a test advanced the clock. */
    public void wake() {
        if (dispatcher != null) {
            dispatcher.wake();
        }
    }

    /** Extends the leases of the jobs this process is running. */
    void heartbeat() {
        if (dispatcher != null && dispatcher.inFlight() > 0) {
            long until = clock.millis() + settings.lease().toMillis();
            store.write(s -> s.update("heartbeat", workerId, until));
        }
    }

    /**
     * Returns jobs whose lease expired (their process died or stalled) to the queue, or to the dead store if they
     * used up their attempts. Runs every reap-interval; public for tests and tools.
     *
     * @return the number of jobs returned to the queue
     */
    public int reapExpired() {
        long now = clock.millis();
        int[] counts = store.write(s -> {
            int buried = s.update("bury_expired", now);
            s.update("delete_buried_expired", now);
            return new int[] {s.update("requeue_expired", now), buried};
        });
        if (counts[0] > 0 || counts[1] > 0) {
            LOG.warn(
                    "job queue: {} jobs with expired leases returned to the queue, {} moved to the dead store",
                    counts[0],
                    counts[1]);
            wake();
        }
        return counts[0];
    }

    /** Deletes dead jobs older than dead-retention. Runs every gc-interval; public for tests and tools. */
    public int collectDead() {
        long cutoff = clock.millis() - settings.deadRetention().toMillis();
        int total = 0;
        int deleted;
        do {
            deleted = store.write(s -> s.update("collect_dead", cutoff, GC_BATCH));
            total += deleted;
        } while (deleted == GC_BATCH);
        if (total > 0) {
            LOG.info("job queue: collected {} dead jobs older than {}", total, settings.deadRetention());
        }
        return total;
    }

    public QueueStats stats() {
        long now = clock.millis();
        return store.read(s -> new QueueStats(
                s.queryLong("count_ready", now),
                s.queryLong("count_scheduled", now),
                s.queryLong("count_claimed"),
                s.queryLong("count_dead")));
    }

    /** The most recently dead jobs, newest first. */
    public List<DeadJob> deadJobs(int limit) {
        return store.read(s -> s.query(
                "list_dead",
                rs -> new DeadJob(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getInt(5),
                        rs.getString(6),
                        Instant.ofEpochMilli(rs.getLong(7)),
                        Instant.ofEpochMilli(rs.getLong(8))),
                limit));
    }

    /** The id under which this process claims jobs ({@code claimed_by}). */
    public String workerId() {
        return workerId;
    }

    public QueueSettings settings() {
        return settings;
    }

    /**
     * Graceful shutdown: stops claiming, waits up to shutdown-timeout for running jobs, returns claimed jobs that
     * did not finish to the queue, then closes queue.db. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdownNow();
        try {
            if (dispatcher != null) {
                int released = dispatcher.shutdown(settings.shutdownTimeout());
                LOG.info("job queue {} stopped; {} unfinished jobs returned to the queue", store.path(), released);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while stopping the job queue; unfinished jobs will run again after their lease");
        } finally {
            store.close();
        }
    }
}
