package dev.litestack.todo.support;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.jobs.JobContext;
import dev.litestack.todo.jobs.JobHandler;
import jakarta.inject.Singleton;

/** A job handler bean, discovered by Micronaut: publishes the todo id on the user's cable channel. */
@Singleton
public class EchoJobHandler implements JobHandler<TodoPayload> {

    private final Cable cable;

    public EchoJobHandler(Cable cable) {
        this.cable = cable;
    }

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public Class<TodoPayload> payloadType() {
        return TodoPayload.class;
    }

    @Override
    public void perform(TodoPayload payload, JobContext context) {
        cable.publish("todos:" + payload.userId(), "todo " + payload.todoId());
    }
}
