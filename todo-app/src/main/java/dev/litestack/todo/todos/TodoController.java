package dev.litestack.todo.todos;

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
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The TodoMVC page and its forms. Every change needs the app's own Origin, the session cookie and its CSRF token ({@code X-CSRF-Token}
 * header or {@code _csrf} field), touches only the caller's rows, and answers with Turbo Stream fragments (or a
 * 303 to the page for clients that do not ask for streams).
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
public class TodoController {

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
        String html = streams.page(user, todos.snapshot(user), nonce, "/cable/" + sessions.streamName(user));
        return HttpResponse.ok(html).contentType(MediaType.TEXT_HTML + ";charset=utf-8")
                .header("Cache-Control", "no-store");
    }

    @Post(value = "/todos", consumes = FORM, produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> create(HttpRequest<?> request, @Nullable @Body Map<String, String> form) {
        String user = authorize(request, form);
        return answer(request, todos.create(user, required(form, "title")));
    }

    @Patch(value = "/todos/{id}", consumes = FORM, produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> update(HttpRequest<?> request, String id, @Nullable @Body Map<String, String> form) {
        String user = authorize(request, form);
        String title = field(form, "title");
        String completed = field(form, "completed");
        return answer(request, todos.update(user, parseId(id), title, completed == null ? null : bool(completed)));
    }

    @Delete(value = "/todos/{id}", consumes = FORM, produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> delete(HttpRequest<?> request, String id, @Nullable @Body Map<String, String> form) {
        String user = authorize(request, form);
        return answer(request, todos.delete(user, parseId(id)));
    }

    @Patch(value = "/todos", consumes = FORM, produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> toggleAll(HttpRequest<?> request, @Nullable @Body Map<String, String> form) {
        String user = authorize(request, form);
        return answer(request, todos.toggleAll(user, bool(required(form, "completed"))));
    }

    @Delete(value = "/todos/completed", consumes = FORM, produces = {TodoStreams.MEDIA_TYPE, MediaType.TEXT_HTML})
    public HttpResponse<String> clearCompleted(HttpRequest<?> request, @Nullable @Body Map<String, String> form) {
        String user = authorize(request, form);
        return answer(request, todos.clearCompleted(user));
    }

    /**
     * The caller's user id, if the request comes from the app's own Origin (or has none), the session cookie is
     * valid and the CSRF token belongs to it; else 403.
     */
    private String authorize(HttpRequest<?> request, @Nullable Map<String, String> form) {
        if (!sessions.originAllowed(request, false)) {
            throw new HttpStatusException(HttpStatus.FORBIDDEN, "cross-origin request");
        }
        String user = sessions.user(request)
                .orElseThrow(() -> new HttpStatusException(HttpStatus.FORBIDDEN, "no session"));
        String token = request.getHeaders().get("X-CSRF-Token");
        if (token == null) {
            token = field(form, "_csrf");
        }
        if (!sessions.validCsrfToken(user, token)) {
            throw new HttpStatusException(HttpStatus.FORBIDDEN, "missing or invalid CSRF token");
        }
        return user;
    }

    private HttpResponse<String> answer(HttpRequest<?> request, Outcome outcome) {
        boolean turbo = request.getHeaders().accept().stream()
                .anyMatch(type -> TodoStreams.MEDIA_TYPE.equals(type.getName()));
        if (!turbo) {
            return HttpResponse.seeOther(URI.create("/"));
        }
        return HttpResponse.ok(streams.change(outcome)).contentType(TodoStreams.MEDIA_TYPE + ";charset=utf-8")
                .header("Cache-Control", "no-store");
    }

    private static String field(@Nullable Map<String, String> form, String name) {
        if (form == null) {
            return null;
        }
        Object value = form.get(name);
        return value == null ? null : value.toString();
    }

    private static String required(@Nullable Map<String, String> form, String name) {
        String value = field(form, name);
        if (value == null) {
            throw new InvalidTodoException("missing field: " + name);
        }
        return value;
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
