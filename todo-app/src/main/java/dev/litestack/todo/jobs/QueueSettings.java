package dev.litestack.todo.jobs;

import dev.litestack.todo.sqlite.StoreSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of the job queue (validated by {@link QueueProperties}); see docs/todo-app-foundations.md.
 *
 * @param store             the queue.db file and its tuning
 * @param workers           worker threads in this process; 0 = enqueue only
 * @param prefetch          jobs claimed ahead of free workers (they hold a lease while they wait)
 * @param pollInterval      how often an idle dispatcher looks for due jobs (local enqueues wake it at once)
 * @param lease             how long a claim is valid without a heartbeat; a dead process's jobs run again after it
 * @param heartbeatInterval how often running jobs' leases are extended
 * @param reapInterval      how often expired leases are returned to the queue
 * @param maxAttempts       default attempts per job before it moves to the dead store
 * @param backoffBase       delay before the first retry
 * @param backoffMultiplier growth of the delay per further attempt
 * @param backoffMax        upper bound of the delay
 * @param backoffJitter     +/- fraction of random jitter on each delay
 * @param deadRetention     how long dead jobs are kept
 * @param gcInterval        how often dead jobs older than the retention are collected
 * @param shutdownTimeout   how long shutdown waits for running jobs before returning them to the queue
 * @param queues            queue name to priority; higher priorities are claimed first
 */
public record QueueSettings(
        StoreSettings store,
        int workers,
        int prefetch,
        Duration pollInterval,
        Duration lease,
        Duration heartbeatInterval,
        Duration reapInterval,
        int maxAttempts,
        Duration backoffBase,
        double backoffMultiplier,
        Duration backoffMax,
        double backoffJitter,
        Duration deadRetention,
        Duration gcInterval,
        Duration shutdownTimeout,
        Map<String, Integer> queues) {

    public QueueSettings {
        queues = Map.copyOf(queues);
    }

    /** The defaults of {@link QueueProperties}, for tests and tools. */
    public static QueueSettings defaults(StoreSettings store) {
        return new QueueSettings(
                store,
                4,
                8,
                Duration.ofMillis(100),
                Duration.ofSeconds(60),
                Duration.ofSeconds(15),
                Duration.ofSeconds(15),
                5,
                Duration.ofSeconds(5),
                4.0,
                Duration.ofHours(1),
                0.15,
                Duration.ofDays(10),
                Duration.ofHours(1),
                Duration.ofSeconds(10),
                Map.of(EnqueueOptions.DEFAULT_QUEUE, 1));
    }

    public QueueSettings withWorkers(int count, int ahead) {
        return new QueueSettings(
                store,
                count,
                ahead,
                pollInterval,
                lease,
                heartbeatInterval,
                reapInterval,
                maxAttempts,
                backoffBase,
                backoffMultiplier,
                backoffMax,
                backoffJitter,
                deadRetention,
                gcInterval,
                shutdownTimeout,
                queues);
    }

    public QueueSettings withTimings(Duration poll, Duration leaseTime, Duration shutdown) {
        return new QueueSettings(
                store,
                workers,
                prefetch,
                poll,
                leaseTime,
                leaseTime.dividedBy(4),
                leaseTime.dividedBy(4),
                maxAttempts,
                backoffBase,
                backoffMultiplier,
                backoffMax,
                backoffJitter,
                deadRetention,
                gcInterval,
                shutdown,
                queues);
    }

    public QueueSettings withRetries(int attempts, Duration base, double multiplier, Duration max, double jitter) {
        return new QueueSettings(
                store,
                workers,
                prefetch,
                pollInterval,
                lease,
                heartbeatInterval,
                reapInterval,
                attempts,
                base,
                multiplier,
                max,
                jitter,
                deadRetention,
                gcInterval,
                shutdownTimeout,
                queues);
    }

    public QueueSettings withQueues(Map<String, Integer> namedQueues) {
        return new QueueSettings(
                store,
                workers,
                prefetch,
                pollInterval,
                lease,
                heartbeatInterval,
                reapInterval,
                maxAttempts,
                backoffBase,
                backoffMultiplier,
                backoffMax,
                backoffJitter,
                deadRetention,
                gcInterval,
                shutdownTimeout,
                namedQueues);
    }

    /** Delay before the retry that follows failed attempt {@code attempt} (1-based), with jitter. */
    public Duration backoff(int attempt) {
        return backoff(attempt, ThreadLocalRandom.current().nextDouble(-1.0, 1.0));
    }

    /** As {@link #backoff(int)} with a given jitter draw in [-1, 1]. */
    public Duration backoff(int attempt, double draw) {
        double base = backoffBase.toMillis() * Math.pow(backoffMultiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, backoffMax.toMillis());
        double jittered = capped * (1.0 + backoffJitter * Math.max(-1.0, Math.min(1.0, draw)));
        return Duration.ofMillis(Math.max(0L, Math.round(jittered)));
    }
}
