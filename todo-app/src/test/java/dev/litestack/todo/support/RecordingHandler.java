package dev.litestack.todo.support;

import dev.litestack.todo.jobs.JobContext;
import dev.litestack.todo.jobs.JobHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every payload it runs; optionally fails the first {@code failures} attempts of each job. */
public class RecordingHandler implements JobHandler<TodoPayload> {

    private final String name;
    private final int failures;
    public final List<TodoPayload> done = new CopyOnWriteArrayList<>();
    public final List<JobContext> attempts = new CopyOnWriteArrayList<>();

    public RecordingHandler(String name, int failures) {
        this.name = name;
        this.failures = failures;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Class<TodoPayload> payloadType() {
        return TodoPayload.class;
    }

    @Override
    public void perform(TodoPayload payload, JobContext context) {
        attempts.add(context);
        if (context.attempt() <= failures) {
            throw new IllegalStateException("planned failure " + context.attempt() + " of todo " + payload.todoId());
        }
        done.add(payload);
    }
}
