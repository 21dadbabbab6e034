package dev.litestack.todo.web;

import dev.litestack.todo.HealthSignals;
import dev.litestack.todo.logging.QuietLog;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.EOFException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Answers for bodies the app will not read (400 malformed, 422 refused), for a client that closed its connection before
 * its body was in (400 to no one, logged at debug), and for unexpected failures (500; 507 when
 * SQLite could not write because the disk is full, which also makes /health DOWN for a minute), logged
 * through the {@code http-errors} {@link QuietLog}: one line (with the stack trace for a failure) per kind, then a
 * count, so a flood of bad requests or a full disk under load cannot flood the log.
 */
final class HttpErrors {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {}

    /** 400 for a body that is not valid urlencoded UTF-8. */
    @Singleton
    @Requires(classes = FormBody.Malformed.class)
    static final class Malformed implements ExceptionHandler<FormBody.Malformed, HttpResponse<?>> {
        private final ErrorResponseProcessor<?> processor;
        private final QuietLog log;

        Malformed(ErrorResponseProcessor<?> processor, @Named("http-errors") QuietLog log) {
            this.processor = processor;
            this.log = log;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, FormBody.Malformed exception) {
            log.warn(
                    "malformed form body",
                    "rejected a malformed form body (" + request.getMethod() + " " + request.getPath() + "): "
                            + exception.getMessage());
            return PlainErrorResponses.answer(processor, request, HttpStatus.BAD_REQUEST, exception);
        }
    }

    /** 422 for a well-formed body the app does not take (foreign charset, repeated field). */
    @Singleton
    @Requires(classes = FormBody.Refused.class)
    static final class Refused implements ExceptionHandler<FormBody.Refused, HttpResponse<?>> {
        private final ErrorResponseProcessor<?> processor;

        Refused(ErrorResponseProcessor<?> processor) {
            this.processor = processor;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, FormBody.Refused exception) {
            return PlainErrorResponses.answer(processor, request, HttpStatus.UNPROCESSABLE_ENTITY, exception);
        }
    }

    /** 503 (with Retry-After) when the render budget stayed taken for the whole wait. */
    @Singleton
    @Requires(classes = RenderBudget.Busy.class)
    static final class Busy implements ExceptionHandler<RenderBudget.Busy, HttpResponse<?>> {
        private final ErrorResponseProcessor<?> processor;
        private final QuietLog log;

        Busy(ErrorResponseProcessor<?> processor, @Named("http-errors") QuietLog log) {
            this.processor = processor;
            this.log = log;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, RenderBudget.Busy exception) {
            log.warn(
                    "render budget",
                    "answered 503: the render budget stayed taken for the whole wait (" + request.getMethod() + " "
                            + request.getPath() + ")");
            return PlainErrorResponses.answer(processor, request, HttpStatus.SERVICE_UNAVAILABLE, exception)
                    .header(HttpHeaders.RETRY_AFTER, "2");
        }
    }

    /**
     * 500 for anything no other handler answers (Micronaut's own handlers for its exceptions are closer and win).
     * Micronaut would log every one with its stack trace; this logs each kind once, then counts.
     */
    @Singleton
    static final class Unexpected implements ExceptionHandler<Throwable, HttpResponse<?>> {
        private final ErrorResponseProcessor<?> processor;
        private final QuietLog log;
        private final HealthSignals health;

        Unexpected(ErrorResponseProcessor<?> processor, @Named("http-errors") QuietLog log, HealthSignals health) {
            this.processor = processor;
            this.log = log;
            this.health = health;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, Throwable failure) {
            if (clientGone(failure)) {
                // the client closed its connection before its body was in: its business, not a failure of the app
                // (every tab closed in the middle of a slow upload logged one, with a stack trace, at ERROR)
                LOG.debug("client closed its connection during {} {}", request.getMethod(), request.getPath());
                return PlainErrorResponses.answer(processor, request, HttpStatus.BAD_REQUEST, failure);
            }
            if (failure instanceof OutOfMemoryError) {
                health.outOfMemory();
            }
            log.error(
                    "unexpected failure answering " + request.getMethod() + " " + request.getPath() + ": "
                            + failure.getMessage(),
                    failure);
            if (diskFull(failure)) {
                health.diskFull();
                return PlainErrorResponses.answer(processor, request, HttpStatus.INSUFFICIENT_STORAGE, new DiskFull());
            }
            return PlainErrorResponses.answer(processor, request, HttpStatus.INTERNAL_SERVER_ERROR, failure);
        }

        /**
         * Whether the failure is the end of the client's stream before its request's end: an {@link EOFException}
         * raised by Micronaut's Netty server as the connection closed (not one from the app's own reading of a file
         * or a stream, which is a failure like any other).
         */
        static boolean clientGone(Throwable failure) {
            return anyCause(failure, t -> {
                StackTraceElement[] at = t.getStackTrace();
                return t instanceof EOFException
                        && at.length > 0
                        && at[0].getClassName().startsWith("io.micronaut.http.server.netty.");
            });
        }

        /** Whether SQLite refused a write because the disk (or the database's size limit) is full. */
        static boolean diskFull(Throwable failure) {
            return anyCause(
                    failure, t -> t instanceof SQLiteException e && e.getResultCode() == SQLiteErrorCode.SQLITE_FULL);
        }

        /** Whether {@code failure} or one of its causes matches {@code test}. */
        private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
            for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (test.test(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** 507: nothing was saved because the server's disk is full; the user can try again later. */
    static final class DiskFull extends RuntimeException implements PlainErrorResponses.PublicMessage {
        DiskFull() {
            super("the server's disk is full, nothing was saved; try again later", null, false, false);
        }
    }
}
