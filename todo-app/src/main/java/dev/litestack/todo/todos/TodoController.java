package dev.litestack.todo.todos;

import dev.litestack.todo.web.FormBody;
import dev.litestack.todo.web.Sessions;
import dev.litestack.todo.web.WebFilter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * The TodoMVC page and its forms. Every change needs the app's own Origin, the session cookie and its CSRF token ({@code X-CSRF-Token}
 * header or {@code _csrf} field), touches only the caller's rows, and answers with Turbo Stream fragments (or a
 * 303 to the page for clients that do not ask for streams). Bodies are parsed by {@link FormBody} (strict UTF-8
 * urlencoding, each field once) before anything else, so a malformed one is a 400 with or without a session.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
class TodoController {

    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,17}");
    private static final String FORM = MediaType.APPLICATION_FORM_URLENCODED;

    private final TodoService todos;
    private final TodoStreams streams;
    private final Sessions sessions;

    public TodoController(TodoService todos, TodoStreams streams, Sessions sessions) {
        this.todos = todos;
        this.streams = streams;
        this.sessions = sessions;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<String> index(HttpRequest<?> request) {
        String user = sessions.userOrIssue(request);
        String nonce = request.getAttribute(WebFilter.NONCE, String.class).orElseThrow();
        String html = streams.page(user, nonce, "/cable/" + sessions.streamName(user));
        return HttpResponse.ok(html)
                .contentType(MediaType.TEXT_HTML + ";charset=utf-8")
                .header("Cache-Control", "no-store");
    }

    @Post(
            value = "/todos",
            consumes = FORM,
            produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> create(HttpRequest<?> request, @Nullable @Body byte[] body) {
        Caller caller = authorize(request, body);
        return answer(request, todos.create(caller.user, caller.required("title"), caller.form.get("key")));
    }

    @Patch(
            value = "/todos/{id}",
            consumes = FORM,
            produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> update(HttpRequest<?> request, String id, @Nullable @Body byte[] body) {
        Caller caller = authorize(request, body);
        String title = caller.form.get("title");
        String completed = caller.form.get("completed");
        return answer(
                request, todos.update(caller.user, parseId(id), title, completed == null ? null : bool(completed)));
    }

    @Delete(
            value = "/todos/{id}",
            consumes = FORM,
            produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> delete(HttpRequest<?> request, String id, @Nullable @Body byte[] body) {
        Caller caller = authorize(request, body);
        return answer(request, todos.delete(caller.user, parseId(id)));
    }

    @Patch(
            value = "/todos",
            consumes = FORM,
            produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> toggleAll(HttpRequest<?> request, @Nullable @Body byte[] body) {
        Caller caller = authorize(request, body);
        return answer(request, todos.toggleAll(caller.user, bool(caller.required("completed"))));
    }

    @Delete(
            value = "/todos/completed",
            consumes = FORM,
            produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> clearCompleted(HttpRequest<?> request, @Nullable @Body byte[] body) {
        Caller caller = authorize(request, body);
        return answer(request, todos.clearCompleted(caller.user));
    }

    /** Who sent a form, and its fields. */
    private record Caller(String user, FormBody form) {
        String required(String name) {
            String value = form.get(name);
            if (value == null) {
                throw new InvalidTodoException("missing field: " + name);
            }
            return value;
        }
    }

    /**
     * The caller's user id and form, if the body is a well-formed form (else 400 or 422), the request comes from the
     * app's own Origin (or has none), the session cookie is valid and the CSRF token belongs to it (else 403).
     */
    private Caller authorize(HttpRequest<?> request, @Nullable byte[] body) {
        FormBody form = FormBody.parse(body, request.getContentType().orElse(null));
        if (!sessions.originAllowed(request, false)) {
            throw new HttpStatusException(HttpStatus.FORBIDDEN, "cross-origin request");
        }
        String user =
                sessions.user(request).orElseThrow(() -> new HttpStatusException(HttpStatus.FORBIDDEN, "no session"));
        String token = request.getHeaders().get("X-CSRF-Token");
        if (token == null) {
            token = form.get("_csrf");
        }
        if (!sessions.validCsrfToken(user, token)) {
            throw new HttpStatusException(HttpStatus.FORBIDDEN, "missing or invalid CSRF token");
        }
        return new Caller(user, form);
    }

    private HttpResponse<String> answer(HttpRequest<?> request, Outcome outcome) {
        if (!acceptsStreams(request)) {
            return HttpResponse.seeOther(URI.create("/"));
        }
        return HttpResponse.ok(streams.change(outcome))
                .contentType(TodoStreams.MEDIA_TYPE + ";charset=utf-8")
                .header("Cache-Control", "no-store");
    }

    /**
     * Whether the client asks for Turbo Streams (Turbo's forms send {@code Accept: text/vnd.turbo-stream.html,
     * text/html, ...}); {@code q=0} says it does not.
     */
    private static boolean acceptsStreams(HttpRequest<?> request) {
        for (MediaType type : request.getHeaders().accept()) {
            if (TodoStreams.MEDIA_TYPE.equals(type.getName())) {
                return type.getQualityAsNumber().signum() > 0;
            }
        }
        return false;
    }

    private static boolean bool(String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidTodoException("completed must be true or false");
        };
    }

    private static long parseId(String raw) {
        if (raw == null || !ID.matcher(raw).matches()) {
            throw new TodoNotFoundException();
        }
        return Long.parseLong(raw);
    }
}
