package dev.litestack.todo.todos;

import dev.litestack.todo.sqlite.SqliteStore;
import dev.litestack.todo.web.RenderBudget;
import dev.litestack.todo.web.Sessions;
import dev.litestack.todo.web.Views;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders Turbo Stream messages from the jte templates. Targets are server-generated ids ({@code todo-list},
 * {@code todo_<n>}, {@code toggle-all-box}, {@code footer}); titles only ever reach the output through jte's
 * HTML escaping. Every message ends with a fresh toggle-all box and footer, so the counter follows each change.
 * Every render first reserves its estimated peak heap in the {@link RenderBudget}; the page and the snapshot read
 * the list only once their reservation is granted.
 */
@Singleton
class TodoStreams {

    /** The content type of Turbo Stream messages. */
    public static final String MEDIA_TYPE = "text/vnd.turbo-stream.html";

    /** Characters of one rendered row besides its title (markup, three CSRF tokens), rounded up. */
    private static final long ROW_CHARS = 1_200;
    /** Characters of the page around the list, rounded up. */
    private static final long PAGE_CHARS = 4_000;
    /**
     * Peak heap per rendered character: the UTF-16 builder with its growth slack and its copy into a String (up to 6
     * bytes), then the UTF-8 answer (up to 3 bytes per character of a title, 1 for markup).
     */
    private static final long BYTES_PER_CHAR = 8;

    private final Views views;
    private final Sessions sessions;
    private final SqliteStore data;
    private final RenderBudget budget;

    public TodoStreams(Views views, Sessions sessions, @Named("data") SqliteStore data, RenderBudget budget) {
        this.views = views;
        this.sessions = sessions;
        this.data = data;
        this.budget = budget;
    }

    /** The estimated peak heap of rendering {@code rows} rows whose titles have {@code titleChars} characters. */
    static long cost(long rows, long titleChars) {
        return (PAGE_CHARS + rows * ROW_CHARS + 2 * titleChars) * BYTES_PER_CHAR;
    }

    /** The cable channel of a user's live updates. */
    public static String channel(String user) {
        return "todos:" + user;
    }

    /** The fragments of a change: append / replace / remove per todo, then the counts. */
    public String change(Outcome outcome) {
        long titleChars =
                outcome.rows().stream().mapToLong(t -> t.title().length()).sum();
        return budget.render(cost(outcome.change().todoIds().size(), titleChars), () -> renderChange(outcome));
    }

    private String renderChange(Outcome outcome) {
        TodoChange change = outcome.change();
        String csrf = sessions.csrfToken(change.userId());
        Map<Long, Todo> rows = new HashMap<>();
        for (Todo t : outcome.rows()) {
            rows.put(t.id(), t);
        }
        StringBuilder out = new StringBuilder(512);
        for (long id : change.todoIds()) {
            Todo todo = rows.get(id);
            if (todo == null) {
                stream(out, "remove", "todo_" + id, "");
            } else if (change.kind() == TodoChange.Kind.CREATED) {
                stream(out, "append", "todo-list", item(todo, csrf));
            } else {
                stream(out, "replace", todo.domId(), item(todo, csrf));
            }
        }
        summary(out, outcome.summary(), csrf);
        return out.toString();
    }

    /** The user's whole list and the counts, for a tab that (re)connects. */
    public String snapshot(String user) {
        ListSize size = data.read(s -> TodoRepository.size(s, user));
        return budget.render(cost(size.todos(), size.titleChars()), () -> renderSnapshot(user, load(user)));
    }

    private String renderSnapshot(String user, Snapshot snapshot) {
        String csrf = sessions.csrfToken(user);
        StringBuilder out = new StringBuilder(1024);
        stream(out, "replace", "todo-list", views.render("todos/list.jte", Map.of("snapshot", snapshot, "csrf", csrf)));
        summary(out, snapshot.summary(), csrf);
        return out.toString();
    }

    /** The full page of the user's list. */
    public String page(String user, String nonce, String streamPath) {
        ListSize size = data.read(s -> TodoRepository.size(s, user));
        return budget.render(
                cost(size.todos(), size.titleChars()), () -> renderPage(user, load(user), nonce, streamPath));
    }

    private Snapshot load(String user) {
        return data.read(s -> TodoRepository.snapshot(s, user));
    }

    private String renderPage(String user, Snapshot snapshot, String nonce, String streamPath) {
        return views.render(
                "todos/page.jte",
                Map.of(
                        "snapshot",
                        snapshot,
                        "csrf",
                        sessions.csrfToken(user),
                        "nonce",
                        nonce,
                        "streamPath",
                        streamPath));
    }

    private String item(Todo todo, String csrf) {
        return views.render("todos/item.jte", Map.of("todo", todo, "csrf", csrf));
    }

    private void summary(StringBuilder out, Summary summary, String csrf) {
        Map<String, Object> params = Map.of("summary", summary, "csrf", csrf);
        stream(out, "replace", "toggle-all-box", views.render("todos/toggleAll.jte", params));
        stream(out, "replace", "footer", views.render("todos/footer.jte", params));
    }

    private static void stream(StringBuilder out, String action, String target, String html) {
        out.append("<turbo-stream action=\"")
                .append(action)
                .append("\" target=\"")
                .append(target)
                .append("\"><template>")
                .append(html)
                .append("</template></turbo-stream>\n");
    }
}
