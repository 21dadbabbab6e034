package dev.litestack.todo;

import dev.litestack.todo.jobs.JobQueue;
import dev.litestack.todo.jobs.QueueStats;
import dev.litestack.todo.sqlite.SqliteStore;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Named;

/** {@code GET /health}: answers only when the data file is readable; includes the job queue's counts. */
@Controller("/health")
public class HealthController {

    /** The health answer. */
    @Serdeable
    public record Health(String status, int dataSchemaVersion, QueueStats jobs) {
    }

    private final SqliteStore data;
    private final JobQueue jobs;

    public HealthController(@Named("data") SqliteStore data, JobQueue jobs) {
        this.data = data;
        this.jobs = jobs;
    }

    @Get
    public Health health() {
        int version = data.read(s -> Integer.parseInt(s.pragma("PRAGMA user_version")));
        return new Health("UP", version, jobs.stats());
    }
}
