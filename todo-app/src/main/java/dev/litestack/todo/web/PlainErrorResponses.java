package dev.litestack.todo.web;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/**
 * Every error answer (bad input, unknown route, wrong method, too large, unexpected failure) is a short
 * {@code text/plain} body: the status line, plus the message of our own input errors. Framework messages, exception
 * names and stack traces never reach the client (unexpected failures are logged by {@link HttpErrors}, quietly).
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public final class PlainErrorResponses implements ErrorResponseProcessor<String> {

    /** Marks exceptions whose message is written for users and safe to show. */
    public interface PublicMessage {
        String getMessage();
    }

    /** The answer with {@code status} for {@code cause}, through {@code processor}. */
    public static MutableHttpResponse<?> answer(
            ErrorResponseProcessor<?> processor, HttpRequest<?> request, HttpStatus status, Throwable cause) {
        return processor.processResponse(
                ErrorContext.builder(request).cause(cause).build(), HttpResponse.status(status));
    }

    @Override
    public MutableHttpResponse<String> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        StringBuilder body =
                new StringBuilder().append(response.code()).append(' ').append(response.reason());
        context.getRootCause()
                .filter(PublicMessage.class::isInstance)
                .ifPresent(e -> body.append(": ").append(e.getMessage()));
        body.append('\n');
        return response.contentType(MediaType.TEXT_PLAIN + ";charset=utf-8").body(body.toString());
    }
}
