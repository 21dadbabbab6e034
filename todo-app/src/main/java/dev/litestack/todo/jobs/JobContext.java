package dev.litestack.todo.jobs;

/**
 * What a handler knows about the run in progress.
 *
 * @param id          the job id in queue.db
 * @param queue       the named queue
 * @param attempt     1 for the first run, 2 for the first retry, ...
 * @param maxAttempts attempts allowed before the job moves to the dead store
 */
public record JobContext(long id, String queue, int attempt, int maxAttempts) {}
