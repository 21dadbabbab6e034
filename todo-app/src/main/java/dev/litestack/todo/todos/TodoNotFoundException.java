package dev.litestack.todo.todos;

import dev.litestack.todo.web.PlainErrorResponses;

/** A todo id that is malformed, unknown, or another user's: all answered the same way, with 404. */
final class TodoNotFoundException extends RuntimeException implements PlainErrorResponses.PublicMessage {

    public TodoNotFoundException() {
        super("no such todo", null, false, false);
    }
}
