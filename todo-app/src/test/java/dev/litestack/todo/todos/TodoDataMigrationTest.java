package dev.litestack.todo.todos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.litestack.todo.sqlite.SqliteStore;
import dev.litestack.todo.sqlite.StoreSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A todos.db of the first schema (before create keys) opens with its todos kept, and takes keyed creates. */
class TodoDataMigrationTest {

    @TempDir
    Path dir;

    @Test
    void aDataFileOfTheFirstSchemaKeepsItsTodosAndGetsCreateKeys() throws Exception {
        Path file = dir.resolve("todos.db");
        try (Connection old = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = old.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            String v1 = new String(
                    getClass()
                            .getClassLoader()
                            .getResourceAsStream("db/data/V1__todos.sql")
                            .readAllBytes(),
                    StandardCharsets.UTF_8);
            for (String sql : v1.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!sql.isBlank()) {
                    st.execute(sql);
                }
            }
            st.execute("PRAGMA user_version = 1");
            st.execute("INSERT INTO todo_lists (user_id, version) VALUES ('u', 1)");
            st.execute("INSERT INTO todos (user_id, title, completed, version, created_at, updated_at) "
                    + "VALUES ('u', 'old todo', 0, 1, 0, 0)");
        }
        try (SqliteStore data = SqliteStore.open("data", StoreSettings.defaults(file))) {
            List<Todo> kept = data.read(s -> TodoRepository.list(s, "u"));
            assertEquals(List.of(new Todo(1, "old todo", false, 1, null)), kept);
            long id = data.write(s -> TodoRepository.insert(s, "u", "new todo", 2, 0, "k-1"));
            assertEquals(Optional.of(id), data.read(s -> TodoRepository.findByKey(s, "u", "k-1")));
            assertEquals(Optional.empty(), data.read(s -> TodoRepository.findByKey(s, "other", "k-1")));
            assertNull(
                    data.read(s -> TodoRepository.find(s, "u", 1)).orElseThrow().key());
            assertEquals("2", data.read(s -> s.pragma("PRAGMA user_version")));
        }
    }
}
