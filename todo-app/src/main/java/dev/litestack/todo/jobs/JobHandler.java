package dev.litestack.todo.jobs;

/**
 * Runs one kind of job. Implementations are Micronaut beans, found by their {@link #name()} when a job of that
 * name is claimed. Payloads are small JSON records carrying ids (never rendered HTML); the handler re-reads
 * state when it runs. Jobs run at least once: a handler must tolerate running again after a crash.
 *
 * @param <P> the payload type, (de)serialized as JSON
 */
public interface JobHandler<P> {

    /** The stable name stored with each job; renaming it orphans queued jobs. */
    String name();

    Class<P> payloadType();

    /** Does the work; throwing schedules a retry with backoff, or moves the job to the dead store. */
    void perform(P payload, JobContext context) throws Exception;
}
