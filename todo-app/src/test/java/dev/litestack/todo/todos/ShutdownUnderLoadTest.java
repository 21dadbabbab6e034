package dev.litestack.todo.todos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.support.AppProcess;
import dev.litestack.todo.support.WebClient;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while clients keep adding todos (a deploy, a machine stopped with requests in flight): the app used to
 * close its SQLite stores and job queue while its HTTP server still took requests, which then failed with 500 and
 * a stack trace each (82-153 per stop under 32-64 clients). Now requests under way finish, new ones find the
 * server gone, and every add the server acknowledged is in the database.
 */
@Tag("integration")
class ShutdownUnderLoadTest {

    @TempDir
    Path dir;

    @Test
    void requestsDuringAStopAreAnsweredOrRefusedNeverFailedAndWhatWasAcknowledgedIsKept() throws Exception {
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stopping = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        AppProcess app = AppProcess.start(dir);
        try {
            for (int c = 0; c < 16; c++) {
                int client = c;
                WebClient visitor = new WebClient(app.base);
                visitor.open();
                Thread t = Thread.ofPlatform().start(() -> {
                    for (int i = 0; ; i++) {
                        String title = "client " + client + " add " + i;
                        try {
                            HttpResponse<String> r = visitor.form("POST", "/todos", Map.of("title", title));
                            statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            if (r.statusCode() == 200) {
                                acknowledged.add(title);
                            }
                        } catch (UncheckedIOException refused) {
                            if (stopping.get()) {
                                return; // the server is gone
                            }
                        }
                    }
                });
                clients.add(t);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 300);
        } finally {
            stopping.set(true);
            app.close(); // SIGTERM, and waits for the process to end
        }
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(30));
            assertTrue(!t.isAlive(), "a client still waiting for an answer after the app stopped");
        }
        assertEquals(Set.of(200), statuses.keySet(), "statuses answered: " + statuses + "\n" + app.log());
        Set<String> stored = ConcurrentHashMap.newKeySet();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("todos.db"));
                ResultSet rs = db.createStatement().executeQuery("SELECT title FROM todos")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        assertTrue(stored.containsAll(acknowledged), "every acknowledged add is stored");
    }
}
