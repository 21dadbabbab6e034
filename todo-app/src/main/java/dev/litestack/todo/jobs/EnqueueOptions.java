package dev.litestack.todo.jobs;

import java.time.Duration;
import java.time.Instant;

/**
 * Where and when a job runs. {@code runAt} wins over {@code delay}; {@code maxAttempts} 0 means the queue default.
 */
public record EnqueueOptions(String queue, Duration delay, Instant runAt, int maxAttempts) {

    public static final String DEFAULT_QUEUE = "default";

    public static EnqueueOptions now() {
        return new EnqueueOptions(DEFAULT_QUEUE, Duration.ZERO, null, 0);
    }

    public EnqueueOptions queue(String name) {
        return new EnqueueOptions(name, delay, runAt, maxAttempts);
    }

    public EnqueueOptions delay(Duration after) {
        if (after.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + after);
        }
        return new EnqueueOptions(queue, after, null, maxAttempts);
    }

    public EnqueueOptions at(Instant time) {
        return new EnqueueOptions(queue, Duration.ZERO, time, maxAttempts);
    }

    public EnqueueOptions maxAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + attempts);
        }
        return new EnqueueOptions(queue, delay, runAt, attempts);
    }

    long runAtMillis(long nowMillis) {
        return runAt != null ? runAt.toEpochMilli() : nowMillis + delay.toMillis();
    }
}
