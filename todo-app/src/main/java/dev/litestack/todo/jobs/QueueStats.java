package dev.litestack.todo.jobs;

import io.micronaut.serde.annotation.Serdeable;

/** Row counts of queue.db: due and unclaimed, waiting for a later time, running (claimed), dead. */
@Serdeable
public record QueueStats(long ready, long scheduled, long claimed, long dead) {}
