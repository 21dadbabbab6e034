package dev.litestack.todo.todos;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * The payload of a broadcast job: ids only, never HTML. The job re-reads the rows when it runs and renders
 * them with the same templates as the page; a row that is gone by then is broadcast as removed.
 */
@Serdeable
public record TodoChange(String userId, Kind kind, List<Long> todoIds) {

    /** What happened to the todos, which decides the Turbo Stream action. */
    public enum Kind {
        /** new rows: appended to the list */
        CREATED,
        /** changed rows: replaced in place */
        UPDATED,
        /** deleted rows: removed */
        DELETED
    }

    public TodoChange {
        // the JSON of an empty list leaves the field out (Micronaut serde's default), which decodes as null
        todoIds = todoIds == null ? List.of() : List.copyOf(todoIds);
    }
}
