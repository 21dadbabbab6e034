package dev.litestack.todo.todos;

import dev.litestack.todo.web.PlainErrorResponses;

/** Input that breaks a rule (empty or too long title, missing field, too many todos): answered with 422. */
final class InvalidTodoException extends RuntimeException implements PlainErrorResponses.PublicMessage {

    public InvalidTodoException(String message) {
        super(message, null, false, false);
    }
}
