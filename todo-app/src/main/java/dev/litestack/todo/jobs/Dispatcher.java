package dev.litestack.todo.jobs;

import dev.litestack.todo.logging.QuietLog;
import dev.litestack.todo.sqlite.Session;
import dev.litestack.todo.sqlite.SqliteStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due jobs in batches (one UPDATE ... RETURNING that sets a lease), hands them to the worker pool and
 * deletes finished ones in the next claim transaction. Failed runs are retried with backoff or buried.
 */
final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final int MAX_ERROR_CHARS = 4000;

    record Claimed(long id, String queue, String handler, String payload, int attempts, int maxAttempts) {}

    private final QueueSettings settings;
    private final SqliteStore store;
    private final Map<String, JobHandler<?>> handlers;
    private final PayloadCodec codec;
    private final Clock clock;
    private final String workerId;
    private final ThreadPoolExecutor pool;
    private final Thread thread;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Long> finished = new ConcurrentLinkedQueue<>();
    private final Object signal = new Object();
    /** Claim failures: each kind logged once, then counted (a full disk would fail every poll). */
    private final QuietLog failures;

    private boolean signalled;
    private volatile boolean running = true;

    Dispatcher(
            QueueSettings settings,
            SqliteStore store,
            Map<String, JobHandler<?>> handlers,
            PayloadCodec codec,
            Clock clock,
            String workerId) {
        this.settings = settings;
        this.store = store;
        this.handlers = handlers;
        this.codec = codec;
        this.clock = clock;
        this.failures = new QuietLog(LOG, clock, Duration.ofMinutes(1), 20);
        this.workerId = workerId;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                settings.workers(), settings.workers(), 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "jobs-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.thread = new Thread(this::loop, "jobs-dispatcher");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    int inFlight() {
        return inFlight.size();
    }

    /** Wakes the dispatcher (a job was enqueued or finished). */
    void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    private void await(Duration timeout) {
        synchronized (signal) {
            if (!signalled && running) {
                try {
                    signal.wait(Math.max(1, timeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            signalled = false;
        }
    }

    private void loop() {
        while (running) {
            int capacity = settings.workers() + settings.prefetch() - inFlight.size();
            List<Claimed> claimed;
            try {
                claimed = claimOrAck(capacity);
            } catch (RuntimeException e) {
                failures.error("job dispatcher cannot claim from " + store.path() + ": " + e.getMessage(), e);
                await(settings.pollInterval());
                continue;
            }
            for (Claimed job : claimed) {
                inFlight.add(job.id());
                pool.execute(new Task(job));
            }
            if (capacity <= 0 || claimed.size() < capacity) {
                await(settings.pollInterval());
            }
        }
    }

    private List<Claimed> claimOrAck(int capacity) {
        long now = clock.millis();
        boolean due = capacity > 0 && store.read(s -> s.queryLong("exists_ready", now) == 1);
        if (!due && finished.isEmpty()) {
            return List.of();
        }
        return store.write(s -> {
            ack(s);
            return due
                    ? s.query(
                            "claim",
                            rs -> new Claimed(
                                    rs.getLong(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getInt(5),
                                    rs.getInt(6)),
                            workerId,
                            now,
                            settings.lease().toMillis(),
                            capacity)
                    : List.of();
        });
    }

    private void ack(Session s) throws SQLException {
        Long id;
        while ((id = finished.poll()) != null) {
            s.update("complete", id, workerId);
        }
    }

    private final class Task implements Runnable {
        private final Claimed job;

        Task(Claimed job) {
            this.job = job;
        }

        @Override
        public void run() {
            try {
                perform();
                finished.add(job.id());
            } catch (Throwable t) {
                fail(t);
            } finally {
                inFlight.remove(job.id());
                wake();
            }
        }

        @SuppressWarnings("unchecked")
        private void perform() throws Exception {
            JobHandler<Object> handler = (JobHandler<Object>) handlers.get(job.handler());
            if (handler == null) {
                throw new IllegalStateException("no job handler named '" + job.handler() + "' in this process");
            }
            Object payload = codec.decode(job.payload(), handler.payloadType());
            handler.perform(payload, new JobContext(job.id(), job.queue(), job.attempts(), job.maxAttempts()));
        }

        private void fail(Throwable t) {
            long now = clock.millis();
            String error = describe(t);
            try {
                if (job.attempts() < job.maxAttempts()) {
                    Duration delay = settings.backoff(job.attempts());
                    store.write(s -> s.update("retry", job.id(), workerId, now + delay.toMillis(), error));
                    LOG.warn(
                            "job {} ({}) attempt {}/{} failed, retrying in {} ms: {}",
                            job.id(),
                            job.handler(),
                            job.attempts(),
                            job.maxAttempts(),
                            delay.toMillis(),
                            error);
                } else {
                    store.write(s -> s.update("bury", job.id(), workerId, error, now) == 1
                            ? s.update("complete", job.id(), workerId)
                            : 0);
                    LOG.error(
                            "job {} ({}) failed {} times, moved to the dead store",
                            job.id(),
                            job.handler(),
                            job.attempts(),
                            t);
                }
            } catch (RuntimeException e) {
                LOG.error(
                        "job {} ({}) failed and its failure could not be recorded; its lease will expire and it "
                                + "will run again: {}",
                        job.id(),
                        job.handler(),
                        e.getMessage(),
                        t);
            }
        }
    }

    static String describe(Throwable t) {
        String text = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) : text;
    }

    /**
     * Stops claiming, forgets jobs that were claimed but not started, waits up to {@code timeout} for running
     * jobs, deletes the finished ones and returns every job still claimed by this process to the queue.
     *
     * @return the number of jobs returned to the queue
     */
    int shutdown(Duration timeout) throws InterruptedException {
        running = false;
        wake();
        thread.join(Math.max(1, timeout.toMillis()));
        List<Runnable> notStarted = new ArrayList<>();
        pool.getQueue().drainTo(notStarted);
        for (Runnable r : notStarted) {
            inFlight.remove(((Task) r).job.id());
        }
        pool.shutdown();
        boolean done = pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        int released = store.write(s -> {
            ack(s);
            return s.update("release", workerId);
        });
        if (!done) {
            pool.shutdownNow();
        }
        return released;
    }
}
