package dev.litestack.todo.todos;

import dev.litestack.todo.jobs.JobQueue;
import dev.litestack.todo.sqlite.Session;
import dev.litestack.todo.sqlite.SqliteStore;
import dev.litestack.todo.todos.TodoChange.Kind;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.text.Normalizer;
import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The TodoMVC operations on one user's list. Each runs in one write transaction that bumps the user's list
 * version, changes only that user's rows, reads back what the caller's tab needs, and enqueues a
 * {@link BroadcastJob} (inserted after the commit) that renders the same change for the user's other tabs.
 */
@Singleton
class TodoService {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final SqliteStore data;
    private final JobQueue jobs;
    private final TodoProperties limits;
    private final Clock clock;

    public TodoService(@Named("data") SqliteStore data, JobQueue jobs, TodoProperties limits, Clock clock) {
        this.data = data;
        this.jobs = jobs;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Adds a todo with the trimmed title; an empty or too long title is rejected. {@code key} (made by the page, may
     * be null) makes the create safe to send again: if the user already has a todo created with that key (the first
     * request was applied, but its answer never reached the page), that todo is answered and nothing is added.
     */
    public Outcome create(String user, String rawTitle, String key) {
        String title = cleanTitle(rawTitle);
        if (title.isEmpty()) {
            throw new InvalidTodoException("title must not be empty");
        }
        if (key != null && !KEY.matcher(key).matches()) {
            throw new InvalidTodoException("key must be 1 to 64 letters, digits or dashes");
        }
        return data.write(s -> {
            if (key != null) {
                var existing = TodoRepository.findByKey(s, user, key);
                if (existing.isPresent()) {
                    List<Long> ids = List.of(existing.get());
                    return new Outcome(
                            new TodoChange(user, Kind.CREATED, ids),
                            TodoRepository.findAll(s, user, ids),
                            TodoRepository.summary(s, user));
                }
            }
            if (TodoRepository.count(s, user) >= limits.maxTodosPerUser()) {
                throw new InvalidTodoException("a list holds at most " + limits.maxTodosPerUser() + " todos");
            }
            long version = TodoRepository.bumpVersion(s, user);
            long id = TodoRepository.insert(s, user, title, version, clock.millis(), key);
            return finish(s, user, Kind.CREATED, List.of(id));
        });
    }

    /**
     * Changes the title and/or the completed state of one of the user's todos. A title that is empty after
     * trimming deletes the todo (TodoMVC editing rule). A foreign or unknown id is {@link TodoNotFoundException}.
     */
    public Outcome update(String user, long id, String rawTitle, Boolean completed) {
        if (rawTitle == null && completed == null) {
            throw new InvalidTodoException("nothing to change: send title or completed");
        }
        String title = rawTitle == null ? null : cleanTitle(rawTitle);
        return data.write(s -> {
            TodoRepository.find(s, user, id).orElseThrow(TodoNotFoundException::new);
            long version = TodoRepository.bumpVersion(s, user);
            if (title != null && title.isEmpty()) {
                TodoRepository.delete(s, user, id);
                return finish(s, user, Kind.DELETED, List.of(id));
            }
            long now = clock.millis();
            if (title != null) {
                TodoRepository.updateTitle(s, user, id, title, version, now);
            }
            if (completed != null) {
                TodoRepository.updateCompleted(s, user, id, completed, version, now);
            }
            return finish(s, user, Kind.UPDATED, List.of(id));
        });
    }

    /** Deletes one of the user's todos. */
    public Outcome delete(String user, long id) {
        return data.write(s -> {
            TodoRepository.find(s, user, id).orElseThrow(TodoNotFoundException::new);
            TodoRepository.bumpVersion(s, user);
            TodoRepository.delete(s, user, id);
            return finish(s, user, Kind.DELETED, List.of(id));
        });
    }

    /** Sets every one of the user's todos to {@code completed}. */
    public Outcome toggleAll(String user, boolean completed) {
        return data.write(s -> {
            long version = TodoRepository.bumpVersion(s, user);
            List<Long> ids = TodoRepository.toggleAll(s, user, completed, version, clock.millis());
            return finish(s, user, Kind.UPDATED, ids);
        });
    }

    /** Deletes the user's completed todos. */
    public Outcome clearCompleted(String user) {
        return data.write(s -> {
            TodoRepository.bumpVersion(s, user);
            List<Long> ids = TodoRepository.clearCompleted(s, user);
            return finish(s, user, Kind.DELETED, ids);
        });
    }

    private Outcome finish(Session s, String user, Kind kind, List<Long> ids) throws SQLException {
        TodoChange change = new TodoChange(user, kind, ids);
        List<Todo> rows = kind == Kind.DELETED ? List.of() : TodoRepository.findAll(s, user, ids);
        Summary summary = TodoRepository.summary(s, user);
        if (!ids.isEmpty()) {
            jobs.enqueue(BroadcastJob.NAME, change); // nothing changed (toggle-all of no todos): nothing to tell
        }
        return new Outcome(change, rows, summary);
    }

    /**
     * The title as stored: NFC-normalised, with leading and trailing white space and invisible characters (NBSP,
     * ideographic space, zero-width space, BOM...) removed. A title with control characters (C0, DEL, C1, line or
     * paragraph separators) or bidirectional embedding, override or isolate characters (which can make a title
     * read differently from what it is, U+202A..U+202E and U+2066..U+2069) is refused; so is one that is too long.
     * An empty result means "no title" (create refuses it, edit deletes the todo).
     */
    private String cleanTitle(String raw) {
        String normal = Normalizer.normalize(raw, Normalizer.Form.NFC);
        normal.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (type == Character.CONTROL
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                throw new InvalidTodoException("title must not contain control characters or line breaks");
            }
            if (c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069) {
                throw new InvalidTodoException("title must not contain bidi override, embedding or isolate characters");
            }
        });
        String title = stripInvisible(normal);
        if (title.codePointCount(0, title.length()) > limits.maxTitleLength()) {
            throw new InvalidTodoException("title must be at most " + limits.maxTitleLength() + " characters");
        }
        return title;
    }

    private static String stripInvisible(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && invisible(text.codePointAt(start))) {
            start += Character.charCount(text.codePointAt(start));
        }
        while (end > start && invisible(text.codePointBefore(end))) {
            end -= Character.charCount(text.codePointBefore(end));
        }
        return text.substring(start, end);
    }

    /** White space of any kind (including NBSP and U+3000) and invisible format characters (U+200B, U+FEFF...). */
    private static boolean invisible(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT;
    }
}
