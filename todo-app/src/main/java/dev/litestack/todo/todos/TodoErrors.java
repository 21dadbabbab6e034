package dev.litestack.todo.todos;

import dev.litestack.todo.web.PlainErrorResponses;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/** Maps the todo exceptions to 422 and 404 answers, with bodies from the app's {@link ErrorResponseProcessor}. */
final class TodoErrors {

    private TodoErrors() {}

    /** 422 for input that breaks a rule. */
    @Singleton
    @Requires(classes = InvalidTodoException.class)
    static final class Invalid implements ExceptionHandler<InvalidTodoException, HttpResponse<?>> {
        private final ErrorResponseProcessor<?> processor;

        Invalid(ErrorResponseProcessor<?> processor) {
            this.processor = processor;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, InvalidTodoException exception) {
            return PlainErrorResponses.answer(processor, request, HttpStatus.UNPROCESSABLE_ENTITY, exception);
        }
    }

    /** 404 for malformed, unknown and foreign ids alike. */
    @Singleton
    @Requires(classes = TodoNotFoundException.class)
    static final class NotFound implements ExceptionHandler<TodoNotFoundException, HttpResponse<?>> {
        private final ErrorResponseProcessor<?> processor;

        NotFound(ErrorResponseProcessor<?> processor) {
            this.processor = processor;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, TodoNotFoundException exception) {
            return PlainErrorResponses.answer(processor, request, HttpStatus.NOT_FOUND, exception);
        }
    }
}
