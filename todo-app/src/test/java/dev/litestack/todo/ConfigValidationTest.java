package dev.litestack.todo;

import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad configuration fails at start with a message that names the key and the bound. */
class ConfigValidationTest {

    /** Starting the context fails (the four parts are created at start); returns every message in the chain. */
    private static String failure(Map<String, Object> properties) {
        Throwable e = assertThrows(RuntimeException.class, () -> ApplicationContext.run(properties, "test").close());
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
        assertTrue(heartbeat.contains("app.queue.heartbeat-interval must be at most half of app.queue.lease"), heartbeat);
        String queues = failure(Map.of("app.queue.queues.mail", 3, "app.queue.queues.default", 5000));
        assertTrue(queues.contains("app.queue.queues.default must be between -1000 and 1000"), queues);
        String sync = failure(Map.of("app.cache.synchronous", "sometimes"));
        assertTrue(sync.contains("app.cache.synchronous must be one of OFF, NORMAL, FULL, EXTRA, got 'sometimes'"), sync);
        String file = failure(Map.of("app.cable.file", "../elsewhere.db"));
        assertTrue(file.contains("app.cable.file must be a plain file name inside app.data-dir"), file);
        String poll = failure(Map.of("app.cable.poll-interval", "0s"));
        assertTrue(poll.contains("app.cable.poll-interval must be a positive duration"), poll);
    }
}
