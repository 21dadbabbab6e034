package dev.litestack.todo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration fails at start with a message that names the key and the bound. */
@Tag("integration")
class ConfigValidationTest {

    /** Starting the context fails (the four parts are created at start); returns every message in the chain. */
    private static String failure(Map<String, Object> properties) {
        Throwable e = assertThrows(
                RuntimeException.class,
                () -> ApplicationContext.run(properties, "test").close());
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Test
    void namesTheKeyAndTheBound() {
        String workers = failure(Map.of("app.queue.workers", -1));
        assertTrue(workers.contains("app.queue.workers must be between 0 and 256, got -1"), workers);
        String heartbeat = failure(Map.of("app.queue.heartbeat-interval", "10s", "app.queue.lease", "5s"));
        assertTrue(
                heartbeat.contains("app.queue.heartbeat-interval must be at most half of app.queue.lease"), heartbeat);
        String queues = failure(Map.of("app.queue.queues.mail", 3, "app.queue.queues.default", 5000));
        assertTrue(queues.contains("app.queue.queues.default must be between -1000 and 1000"), queues);
        String sync = failure(Map.of("app.cache.synchronous", "sometimes"));
        assertTrue(
                sync.contains("app.cache.synchronous must be one of OFF, NORMAL, FULL, EXTRA, got 'sometimes'"), sync);
        String file = failure(Map.of("app.cable.file", "../elsewhere.db"));
        assertTrue(file.contains("app.cable.file must be a plain file name inside app.data-dir"), file);
        String live = failure(Map.of("app.live.heartbeat-interval", "45s"));
        assertTrue(live.contains("app.live.heartbeat-interval must be at most 30s"), live);
        String poll = failure(Map.of("app.cable.poll-interval", "0s"));
        assertTrue(poll.contains("app.cable.poll-interval must be a positive duration"), poll);
    }

    @Test
    void everyRecordNamesTheKeyTheRangeAndTheValue() {
        String title = failure(Map.of("app.todos.max-title-length", 0));
        assertTrue(title.contains("app.todos.max-title-length must be between 1 and 10000, got 0"), title);
        String jitter = failure(Map.of("app.queue.backoff-jitter", 1.5));
        assertTrue(jitter.contains("app.queue.backoff-jitter must be between 0.0 and 1.0, got 1.5"), jitter);
        String lease = failure(Map.of("app.queue.lease", "500ms", "app.queue.heartbeat-interval", "100ms"));
        assertTrue(lease.contains("app.queue.lease must be a positive duration of at least 1s, got 500ms"), lease);
        String readers = failure(Map.of("app.data.readers", 65));
        assertTrue(readers.contains("app.data.readers must be between 1 and 64, got 65"), readers);
        String live =
                failure(Map.of("app.live.max-queued-bytes-per-socket", "1MB", "app.live.max-queued-bytes", "512KB"));
        assertTrue(
                live.contains("app.live.max-queued-bytes must be between 1048576 (app.live.max-queued-bytes-per-socket)"
                        + " and 4294967296, got 524288"),
                live);
        String cookie = failure(Map.of("app.web.cookie-name", "my session"));
        assertTrue(cookie.contains("app.web.cookie-name must be 1-64 letters, digits or _, got 'my session'"), cookie);
        String origin = failure(Map.of("app.web.allowed-origins", "https://example.com/app"));
        assertTrue(
                origin.contains(
                        "app.web.allowed-origins entries must look like https://host[:port], got https://example.com/app"),
                origin);
        String budget = failure(Map.of("app.web.render-budget", "512KB"));
        assertTrue(
                budget.contains("app.web.render-budget must be between 1048576 and 1099511627776, got 524288"), budget);
    }

    @Test
    void theAppStopsWithOneLineNamingTheKeyNotAStackTrace(@TempDir Path dir) throws Exception {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Application.class.getName(),
                "--app.queue.workers=-1",
                "--micronaut.server.port=-1");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().put("DATA_DIR", dir.resolve("data").toString());
        Process app = pb.start();
        assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the app did not stop");
        String out = Files.readString(dir.resolve("out.log"));
        assertEquals(1, app.exitValue(), out);
        assertTrue(
                out.contains(
                        "cannot start, invalid configuration: app.queue.workers must be between 0 and 256, got -1"),
                out);
        assertFalse(out.contains("\tat "), out);
        // in the console format of logging.ConsoleLogging, the level as LOG_LEVEL would set it
        assertTrue(
                Pattern.compile(
                                "(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ERROR \\[main\\] dev\\.litestack\\.todo\\.Application"
                                        + " - cannot start, invalid configuration: app\\.queue\\.workers")
                        .matcher(out)
                        .find(),
                out);
    }
}
