package dev.litestack.todo.todos;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.jobs.JobContext;
import dev.litestack.todo.jobs.JobHandler;
import dev.litestack.todo.sqlite.SqliteStore;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Renders a change for the user's open tabs and publishes it on the user's cable channel. The payload carries ids
 * only; the rows and counts are read when the job runs, so a late or repeated run publishes the current state
 * (fragments carry versions, and browsers drop those older than what they show).
 */
@Singleton
class BroadcastJob implements JobHandler<TodoChange> {

    public static final String NAME = "broadcast-todos";

    private final SqliteStore data;
    private final TodoStreams streams;
    private final Cable cable;

    public BroadcastJob(@Named("data") SqliteStore data, TodoStreams streams, Cable cable) {
        this.data = data;
        this.streams = streams;
        this.cable = cable;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<TodoChange> payloadType() {
        return TodoChange.class;
    }

    @Override
    public void perform(TodoChange change, JobContext context) {
        String user = change.userId();
        Outcome now = data.read(s -> new Outcome(
                change,
                change.kind() == TodoChange.Kind.DELETED
                        ? List.of()
                        : TodoRepository.findAll(s, user, change.todoIds()),
                TodoRepository.summary(s, user)));
        cable.publish(TodoStreams.channel(user), streams.change(now));
    }
}
