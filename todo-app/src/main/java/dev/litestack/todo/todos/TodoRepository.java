package dev.litestack.todo.todos;

import dev.litestack.todo.sqlite.Session;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The named statements of sql/data.sql, each scoped to one user. Used inside the store's read or write. */
final class TodoRepository {

    private TodoRepository() {}

    static Todo row(ResultSet rs) throws SQLException {
        return new Todo(rs.getLong(1), rs.getString(2), rs.getInt(3) == 1, rs.getLong(4), rs.getString(5));
    }

    static long bumpVersion(Session s, String user) throws SQLException {
        return s.queryLong("bump_version", user);
    }

    static long count(Session s, String user) throws SQLException {
        return s.queryLong("count_todos", user);
    }

    static long insert(Session s, String user, String title, long version, long now, String key) throws SQLException {
        return s.queryLong("insert_todo", user, title, version, now, key);
    }

    /** The id of the user's todo created with {@code key}, if there is one. */
    static Optional<Long> findByKey(Session s, String user, String key) throws SQLException {
        return s.queryOne("find_todo_by_key", rs -> rs.getLong(1), user, key);
    }

    static Optional<Todo> find(Session s, String user, long id) throws SQLException {
        return s.queryOne("find_todo", TodoRepository::row, user, id);
    }

    static List<Todo> list(Session s, String user) throws SQLException {
        return s.query("list_todos", TodoRepository::row, user);
    }

    static void updateTitle(Session s, String user, long id, String title, long version, long now) throws SQLException {
        s.update("update_title", user, id, title, version, now);
    }

    static void updateCompleted(Session s, String user, long id, boolean completed, long version, long now)
            throws SQLException {
        s.update("update_completed", user, id, completed ? 1 : 0, version, now);
    }

    static void delete(Session s, String user, long id) throws SQLException {
        s.update("delete_todo", user, id);
    }

    static List<Long> toggleAll(Session s, String user, boolean completed, long version, long now) throws SQLException {
        return s.query("toggle_all", rs -> rs.getLong(1), user, completed ? 1 : 0, version, now);
    }

    static List<Long> clearCompleted(Session s, String user) throws SQLException {
        return s.query("clear_completed", rs -> rs.getLong(1), user);
    }

    /** The user's whole list: rows, the version they are at least as new as, and the counts. */
    static Snapshot snapshot(Session s, String user) throws SQLException {
        long listVersion = summary(s, user).version();
        List<Todo> todos = list(s, user);
        return new Snapshot(todos, listVersion, summary(s, user));
    }

    static ListSize size(Session s, String user) throws SQLException {
        return s.queryOne("list_size", rs -> new ListSize(rs.getLong(1), rs.getLong(2)), user)
                .orElse(new ListSize(0, 0));
    }

    static Summary summary(Session s, String user) throws SQLException {
        return s.queryOne("summary", rs -> new Summary(rs.getLong(1), rs.getLong(2), rs.getLong(3)), user)
                .orElse(new Summary(0, 0, 0));
    }

    /** The rows among {@code ids} that still exist, in list order. */
    static List<Todo> findAll(Session s, String user, List<Long> ids) throws SQLException {
        List<Todo> rows = new java.util.ArrayList<>(ids.size());
        for (long id : ids) {
            find(s, user, id).ifPresent(rows::add);
        }
        rows.sort(java.util.Comparator.comparingLong(Todo::id));
        return rows;
    }
}
