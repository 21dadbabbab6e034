package dev.litestack.todo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.cable.CableSettings;
import dev.litestack.todo.sqlite.DataDirectory;
import dev.litestack.todo.sqlite.StoreSettings;
import dev.litestack.todo.support.WebClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** /health says DOWN (503) when the request threads are starved or a SQLite file was replaced under the app. */
@MicronautTest
class HealthTest {

    @Inject
    EmbeddedServer server;

    @Inject
    @Named(TaskExecutors.BLOCKING)
    ExecutorService blocking;

    @Inject
    DataDirectory dataDir;

    private HttpResponse<String> health() {
        WebClient c = new WebClient(server.getURI());
        return c.send(c.request("/health").GET().build());
    }

    @Test
    void starvedRequestThreadsAreDownAndRecover() throws Exception {
        assertTrue(!health().body().contains("starved"));
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> hogs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            hogs.add(blocking.submit(() -> {
                release.await();
                return null;
            }));
        }
        try {
            HttpResponse<String> starved = health();
            assertEquals(503, starved.statusCode(), starved.body());
            assertTrue(starved.body().contains("\"DOWN\"") && starved.body().contains("starved"), starved.body());
        } finally {
            release.countDown();
        }
        for (Future<?> f : hogs) {
            f.get();
        }
        assertTrue(!health().body().contains("starved"), "recovered");
    }

    @Test
    void aWriteOnAFullDiskIs507AndTheAppIsDownForAMinute() {
        assertTrue(!health().body().contains("disk is full"));
        WebClient c = new WebClient(server.getURI());
        HttpResponse<String> failed = c.send(c.request("/test-only/disk-full/" + java.util.UUID.randomUUID())
                .GET()
                .build());
        assertEquals(507, failed.statusCode(), failed.body());
        assertEquals(
                "507 Insufficient Storage: the server's disk is full, nothing was saved; try again later\n",
                failed.body());
        HttpResponse<String> r = health();
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("the disk is full"), r.body());
    }

    @Test
    void aCableFileReplacedWhileTheAppRunsIsReported() throws Exception {
        assertTrue(!health().body().contains("cable.db"));
        Path cableDb = dataDir.path().resolve("cable.db");
        Files.delete(cableDb);
        Files.deleteIfExists(dataDir.path().resolve("cable.db-wal"));
        Files.deleteIfExists(dataDir.path().resolve("cable.db-shm"));
        try (Cable other = Cable.open(CableSettings.defaults(StoreSettings.defaults(cableDb)), Clock.systemUTC())) {
            other.publish("x", "a second process made a fresh cable.db");
        }
        HttpResponse<String> r = health();
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("cable.db was deleted or replaced"), r.body());
    }
}
