package dev.litestack.todo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.cache.SqliteCache;
import dev.litestack.todo.jobs.JobQueue;
import dev.litestack.todo.sqlite.DataDirectory;
import dev.litestack.todo.sqlite.SqliteStore;
import dev.litestack.todo.support.TodoPayload;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The four parts wired by Micronaut in the test environment (temporary data folder). */
@MicronautTest
class ApplicationTest {

    @Inject
    @Client("/")
    HttpClient http;

    @Inject
    DataDirectory dataDir;

    @Inject
    @Named("data")
    SqliteStore data;

    @Inject
    JobQueue jobs;

    @Inject
    SqliteCache cache;

    @Inject
    Cable cable;

    @Inject
    ApplicationContext context;

    @Test
    void theFourFilesLiveSideBySideInTheDataFolder() {
        for (String file : List.of("todos.db", "queue.db", "cache.db", "cable.db")) {
            assertTrue(Files.exists(dataDir.path().resolve(file)), file);
        }
        assertEquals(dataDir.path().resolve("todos.db"), data.path());
        assertEquals(Duration.ofSeconds(5), jobs.settings().lease(), "application-test.yml applies");
    }

    @Test
    void healthAnswersWithQueueCounts() {
        HttpResponse<Map> response = http.toBlocking().exchange("/health", Map.class);
        assertEquals(200, response.code());
        Map<?, ?> body = response.body();
        assertEquals("UP", body.get("status"));
        assertTrue(body.containsKey("jobs"), String.valueOf(body));
    }

    @Test
    void aJobEnqueuedInADataTransactionPublishesOnTheCableAfterCommit() {
        List<String> got = new CopyOnWriteArrayList<>();
        cable.subscribe("todos:alice", got::add);
        data.write(s -> {
            jobs.enqueue("echo", new TodoPayload("alice", 12));
            return null;
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> got.contains("todo 12"));
        cache.setString("greeting", "hi");
        assertEquals(Optional.of("hi"), cache.getString("greeting"));
    }

    @Test
    void inheritedSqliteSettingsBindPerStore() {
        try (ApplicationContext ctx = ApplicationContext.run(
                Map.of("app.queue.synchronous", "full", "app.queue.readers", 3, "app.queue.workers", 1), "test")) {
            JobQueue queue = ctx.getBean(JobQueue.class);
            assertEquals("FULL", queue.settings().store().synchronous());
            assertEquals(3, queue.settings().store().readers());
            assertEquals(1, queue.settings().workers());
        }
    }
}
