package dev.litestack.todo.jobs;

import java.time.Instant;

/** A job that used up its attempts, as kept in {@code dead_jobs} until collected. */
record DeadJob(
        long id,
        String queue,
        String handler,
        String payload,
        int attempts,
        String lastError,
        Instant createdAt,
        Instant diedAt) {}
