package dev.litestack.todo.todos;

import dev.litestack.todo.web.Sessions;
import dev.litestack.todo.web.Views;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.Map;

/**
 * Renders Turbo Stream messages from the jte templates. Targets are server-generated ids ({@code todo-list},
 * {@code todo_<n>}, {@code toggle-all-box}, {@code footer}); titles only ever reach the output through jte's
 * HTML escaping. Every message ends with a fresh toggle-all box and footer, so the counter follows each change.
 */
@Singleton
public class TodoStreams {

    /** The content type of Turbo Stream messages. */
    public static final String MEDIA_TYPE = "text/vnd.turbo-stream.html";

    private final Views views;
    private final Sessions sessions;

    public TodoStreams(Views views, Sessions sessions) {
        this.views = views;
        this.sessions = sessions;
    }

    /** The cable channel of a user's live updates. */
    public static String channel(String user) {
        return "todos:" + user;
    }

    /** The fragments of a change: append / replace / remove per todo, then the counts. */
    public String change(Outcome outcome) {
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

    /** The whole list and the counts, for a tab that (re)connects. */
    public String snapshot(String user, Snapshot snapshot) {
        String csrf = sessions.csrfToken(user);
        StringBuilder out = new StringBuilder(1024);
        stream(out, "replace", "todo-list", views.render("todos/list.jte", Map.of("snapshot", snapshot, "csrf", csrf)));
        summary(out, snapshot.summary(), csrf);
        return out.toString();
    }

    /** The full page. */
    public String page(String user, Snapshot snapshot, String nonce, String streamPath) {
        return views.render("todos/page.jte", Map.of("snapshot", snapshot, "csrf", sessions.csrfToken(user),
                "nonce", nonce, "streamPath", streamPath));
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
        out.append("<turbo-stream action=\"").append(action).append("\" target=\"").append(target)
                .append("\"><template>").append(html).append("</template></turbo-stream>\n");
    }
}
