package dev.litestack.todo;

import dev.litestack.todo.cable.Cable;
import dev.litestack.todo.cache.SqliteCache;
import dev.litestack.todo.jobs.JobQueue;
import dev.litestack.todo.jobs.QueueStats;
import dev.litestack.todo.sqlite.DataDirectory;
import dev.litestack.todo.sqlite.SqliteStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health}: 200 {@code UP}, or 503 {@code DOWN} with the problems: the request threads did not run a
 * task within {@link #STARVED_AFTER} (every one busy or stuck), the heap ran out recently or is nearly full after
 * garbage collection, or a SQLite file was deleted or replaced while the app runs (the app would keep writing to
 * the old, unlinked file, and other processes on the data folder would no longer see its messages; restart it), or a
 * write failed in the last minute because the disk is full.
 * Includes the data schema version and the job queue's counts, read on a request thread.
 */
@Controller("/health")
class HealthController {

    /** How long the check waits for a request thread. */
    static final Duration STARVED_AFTER = Duration.ofMillis(1500);

    private static final List<String> FILES = List.of("todos.db", "queue.db", "cache.db", "cable.db");

    /** The health answer; {@code dataSchemaVersion} and {@code jobs} are null when the threads are starved. */
    @Serdeable
    public record Health(
            String status,
            List<String> problems,
            @Nullable Integer dataSchemaVersion,
            @Nullable QueueStats jobs) {}

    private record Reading(int version, QueueStats jobs) {}

    private final SqliteStore data;
    private final JobQueue jobs;
    private final ExecutorService blocking;
    private final HealthSignals signals;
    private final Path dataDir;
    private final Map<String, Object> fileKeys = new LinkedHashMap<>();

    public HealthController(
            @Named("data") SqliteStore data,
            JobQueue jobs,
            Cable cable,
            SqliteCache cache,
            DataDirectory dataDir,
            @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
            HealthSignals signals) {
        this.data = data;
        this.jobs = jobs;
        this.blocking = blocking;
        this.signals = signals;
        this.dataDir = dataDir.path();
        for (String file : FILES) {
            fileKeys.put(file, fileKey(this.dataDir.resolve(file)));
        }
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    @Get
    public CompletableFuture<HttpResponse<Health>> health() {
        CompletableFuture<Reading> reading = new CompletableFuture<>();
        try {
            blocking.execute(() -> {
                try {
                    reading.complete(new Reading(
                            data.read(s -> Integer.parseInt(s.pragma("PRAGMA user_version"))), jobs.stats()));
                } catch (RuntimeException e) {
                    reading.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            reading.completeExceptionally(e);
        }
        return reading.completeOnTimeout(null, STARVED_AFTER.toMillis(), TimeUnit.MILLISECONDS)
                .handle((r, failure) -> answer(r, failure));
    }

    private HttpResponse<Health> answer(@Nullable Reading reading, @Nullable Throwable failure) {
        List<String> problems = new ArrayList<>();
        if (failure != null) {
            problems.add("cannot read the data files: " + failure.getMessage());
        } else if (reading == null) {
            problems.add("request threads starved: none ran a task within " + STARVED_AFTER.toMillis() + " ms");
        }
        signals.memoryProblem().ifPresent(problems::add);
        signals.diskProblem().ifPresent(problems::add);
        fileKeys.forEach((file, key) -> {
            if (key != null && !Objects.equals(key, fileKey(dataDir.resolve(file)))) {
                problems.add(file + " was deleted or replaced while the app runs: restart the app");
            }
        });
        Health health = new Health(
                problems.isEmpty() ? "UP" : "DOWN",
                problems,
                reading == null ? null : reading.version(),
                reading == null ? null : reading.jobs());
        return HttpResponse.status(problems.isEmpty() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(health);
    }
}
