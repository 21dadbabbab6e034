package dev.litestack.todo.jobs;

import dev.litestack.todo.sqlite.ConfigCheck;
import dev.litestack.todo.sqlite.StoreProperties;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.exceptions.ConfigurationException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code app.queue.*}: the job queue file (queue.db) and its workers. Defaults need no configuration. */
@ConfigurationProperties("app.queue")
public class QueueProperties extends StoreProperties {

    private static final String P = "app.queue";
    private int workers = 4;
    private int prefetch = 8;
    private Duration pollInterval = Duration.ofMillis(100);
    private Duration lease = Duration.ofSeconds(60);
    private Duration heartbeatInterval = Duration.ofSeconds(15);
    private Duration reapInterval = Duration.ofSeconds(15);
    private int maxAttempts = 5;
    private Duration backoffBase = Duration.ofSeconds(5);
    private double backoffMultiplier = 4.0;
    private Duration backoffMax = Duration.ofHours(1);
    private double backoffJitter = 0.15;
    private Duration deadRetention = Duration.ofDays(10);
    private Duration gcInterval = Duration.ofHours(1);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Map<String, Integer> queues = new LinkedHashMap<>(Map.of(EnqueueOptions.DEFAULT_QUEUE, 1));

    public QueueProperties() {
        super("queue.db", "NORMAL", 0);
    }

    @Override
    protected String prefix() {
        return P;
    }

    /** Validates every key (messages name the key and the bound) and freezes the result. */
    public QueueSettings toQueueSettings(Path dataDir) {
        Duration leaseTime = ConfigCheck.atLeast(P + ".lease", lease, Duration.ofSeconds(1));
        Duration heartbeat = ConfigCheck.positive(P + ".heartbeat-interval", heartbeatInterval);
        if (heartbeat.multipliedBy(2).compareTo(leaseTime) > 0) {
            throw new ConfigurationException(P + ".heartbeat-interval must be at most half of " + P + ".lease ("
                    + leaseTime.toMillis() + "ms), got " + heartbeat.toMillis() + "ms");
        }
        if (queues == null || queues.isEmpty() || !queues.containsKey(EnqueueOptions.DEFAULT_QUEUE)) {
            throw new ConfigurationException(P + ".queues must name the queue 'default' (with a priority), got " + queues);
        }
        queues.forEach((name, priority) -> {
            ConfigCheck.notBlank(P + ".queues", name);
            ConfigCheck.range(P + ".queues." + name, priority == null ? Integer.MIN_VALUE : priority, -1000, 1000);
        });
        return new QueueSettings(toSettings(dataDir),
                ConfigCheck.range(P + ".workers", workers, 0, 256),
                ConfigCheck.range(P + ".prefetch", prefetch, 0, 10_000),
                ConfigCheck.atLeast(P + ".poll-interval", pollInterval, Duration.ofMillis(1)),
                leaseTime, heartbeat,
                ConfigCheck.positive(P + ".reap-interval", reapInterval),
                ConfigCheck.range(P + ".max-attempts", maxAttempts, 1, 1000),
                ConfigCheck.positive(P + ".backoff-base", backoffBase),
                ConfigCheck.range(P + ".backoff-multiplier", backoffMultiplier, 1.0, 100.0),
                ConfigCheck.positive(P + ".backoff-max", backoffMax),
                ConfigCheck.range(P + ".backoff-jitter", backoffJitter, 0.0, 1.0),
                ConfigCheck.positive(P + ".dead-retention", deadRetention),
                ConfigCheck.positive(P + ".gc-interval", gcInterval),
                ConfigCheck.positive(P + ".shutdown-timeout", shutdownTimeout),
                queues);
    }

    public int getWorkers() {
        return workers;
    }

    public void setWorkers(int workers) {
        this.workers = workers;
    }

    public int getPrefetch() {
        return prefetch;
    }

    public void setPrefetch(int prefetch) {
        this.prefetch = prefetch;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getReapInterval() {
        return reapInterval;
    }

    public void setReapInterval(Duration reapInterval) {
        this.reapInterval = reapInterval;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getBackoffBase() {
        return backoffBase;
    }

    public void setBackoffBase(Duration backoffBase) {
        this.backoffBase = backoffBase;
    }

    public double getBackoffMultiplier() {
        return backoffMultiplier;
    }

    public void setBackoffMultiplier(double backoffMultiplier) {
        this.backoffMultiplier = backoffMultiplier;
    }

    public Duration getBackoffMax() {
        return backoffMax;
    }

    public void setBackoffMax(Duration backoffMax) {
        this.backoffMax = backoffMax;
    }

    public double getBackoffJitter() {
        return backoffJitter;
    }

    public void setBackoffJitter(double backoffJitter) {
        this.backoffJitter = backoffJitter;
    }

    public Duration getDeadRetention() {
        return deadRetention;
    }

    public void setDeadRetention(Duration deadRetention) {
        this.deadRetention = deadRetention;
    }

    public Duration getGcInterval() {
        return gcInterval;
    }

    public void setGcInterval(Duration gcInterval) {
        this.gcInterval = gcInterval;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Map<String, Integer> getQueues() {
        return queues;
    }

    public void setQueues(Map<String, Integer> queues) {
        this.queues = queues;
    }
}
