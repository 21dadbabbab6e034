package dev.litestack.todo.jobs;

import static dev.litestack.todo.config.ConfigValidation.require;
import static dev.litestack.todo.sqlite.StoreSettings.FILE_NAME;
import static dev.litestack.todo.sqlite.StoreSettings.FILE_NAME_RULE;
import static dev.litestack.todo.sqlite.StoreSettings.SYNCHRONOUS;
import static dev.litestack.todo.sqlite.StoreSettings.SYNCHRONOUS_RULE;

import dev.litestack.todo.config.MinDuration;
import dev.litestack.todo.sqlite.StoreSettings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code app.queue.*}: the job queue file (queue.db) and its workers (see {@link QueueSettings}); the SQLite keys
 * are those of {@link StoreSettings}. Defaults need no configuration.
 */
@ConfigurationProperties("app.queue")
public record QueueProperties(
        @Bindable(defaultValue = "queue.db") @Pattern(regexp = FILE_NAME, message = FILE_NAME_RULE)
        String file,

        @Bindable(defaultValue = "NORMAL") @Pattern(regexp = SYNCHRONOUS, message = SYNCHRONOUS_RULE)
        String synchronous,

        @Bindable(defaultValue = "5s") @MinDuration Duration busyTimeout,
        @Bindable(defaultValue = "60s") @MinDuration Duration busyRetryTimeout,
        @Bindable(defaultValue = "0") @Min(0) @Max(1L << 40) long mmapSize,

        @Bindable(defaultValue = "2000") @Min(-4_000_000) @Max(4_000_000)
        int cacheSize,

        @Bindable(defaultValue = "67108864") @Min(-1) @Max(1L << 40)
        long journalSizeLimit,

        @Bindable(defaultValue = "1000") @Min(0) @Max(10_000_000)
        int walAutocheckpoint,

        @Bindable(defaultValue = "2") @Min(1) @Max(64) int readers,
        @Bindable(defaultValue = "4") @Min(0) @Max(256) int workers,
        @Bindable(defaultValue = "8") @Min(0) @Max(10_000) int prefetch,
        @Bindable(defaultValue = "100ms") @MinDuration Duration pollInterval,
        @Bindable(defaultValue = "60s") @MinDuration("1s") Duration lease,
        @Bindable(defaultValue = "15s") @MinDuration Duration heartbeatInterval,
        @Bindable(defaultValue = "15s") @MinDuration Duration reapInterval,
        @Bindable(defaultValue = "5") @Min(1) @Max(1000) int maxAttempts,
        @Bindable(defaultValue = "5s") @MinDuration Duration backoffBase,

        @Bindable(defaultValue = "4.0") @DecimalMin("1.0") @DecimalMax("100.0")
        double backoffMultiplier,

        @Bindable(defaultValue = "1h") @MinDuration Duration backoffMax,

        @Bindable(defaultValue = "0.15") @DecimalMin("0.0") @DecimalMax("1.0")
        double backoffJitter,

        @Bindable(defaultValue = "10d") @MinDuration Duration deadRetention,
        @Bindable(defaultValue = "1h") @MinDuration Duration gcInterval,
        @Bindable(defaultValue = "10s") @MinDuration Duration shutdownTimeout,
        @Nullable Map<String, Integer> queues) {

    private static final String P = "app.queue";

    /** Runs after each key passed its own constraint: the rules across keys. */
    public QueueProperties {
        require(
                heartbeatInterval.multipliedBy(2).compareTo(lease) <= 0,
                P + ".heartbeat-interval must be at most half of " + P + ".lease (" + lease.toMillis() + "ms), got "
                        + heartbeatInterval.toMillis() + "ms");
        Map<String, Integer> named =
                queues == null || queues.isEmpty() ? Map.of(EnqueueOptions.DEFAULT_QUEUE, 1) : queues;
        require(
                named.containsKey(EnqueueOptions.DEFAULT_QUEUE),
                P + ".queues must name the queue 'default' (with a priority), got " + named);
        named.forEach((name, priority) -> {
            require(!name.isBlank(), P + ".queues must not have a blank queue name");
            require(
                    priority != null && priority >= -1000 && priority <= 1000,
                    P + ".queues." + name + " must be between -1000 and 1000, got " + priority);
        });
        queues = Map.copyOf(named);
    }

    public QueueSettings toQueueSettings(Path dataDir) {
        return new QueueSettings(
                new StoreSettings(
                        dataDir.resolve(file),
                        synchronous,
                        busyTimeout,
                        busyRetryTimeout,
                        mmapSize,
                        cacheSize,
                        journalSizeLimit,
                        walAutocheckpoint,
                        readers),
                workers,
                prefetch,
                pollInterval,
                lease,
                heartbeatInterval,
                reapInterval,
                maxAttempts,
                backoffBase,
                backoffMultiplier,
                backoffMax,
                backoffJitter,
                deadRetention,
                gcInterval,
                shutdownTimeout,
                queues);
    }
}
