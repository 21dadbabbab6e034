package dev.litestack.todo.sqlite;

import static dev.litestack.todo.sqlite.StoreSettings.FILE_NAME;
import static dev.litestack.todo.sqlite.StoreSettings.FILE_NAME_RULE;
import static dev.litestack.todo.sqlite.StoreSettings.SYNCHRONOUS;
import static dev.litestack.todo.sqlite.StoreSettings.SYNCHRONOUS_RULE;

import dev.litestack.todo.config.MinDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code app.data.*}: the application's own data file (todos). The SQLite keys are those of {@link StoreSettings};
 * every store declares them with its own defaults (the queue, cache and cable records do the same).
 */
@ConfigurationProperties("app.data")
record DataStoreProperties(
        @Bindable(defaultValue = "todos.db") @Pattern(regexp = FILE_NAME, message = FILE_NAME_RULE)
        String file,

        @Bindable(defaultValue = "NORMAL") @Pattern(regexp = SYNCHRONOUS, message = SYNCHRONOUS_RULE)
        String synchronous,

        @Bindable(defaultValue = "5s") @MinDuration Duration busyTimeout,
        @Bindable(defaultValue = "60s") @MinDuration Duration busyRetryTimeout,

        @Bindable(defaultValue = "134217728") @Min(0) @Max(1L << 40)
        long mmapSize,

        @Bindable(defaultValue = "2000") @Min(-4_000_000) @Max(4_000_000)
        int cacheSize,

        @Bindable(defaultValue = "67108864") @Min(-1) @Max(1L << 40)
        long journalSizeLimit,

        @Bindable(defaultValue = "1000") @Min(0) @Max(10_000_000)
        int walAutocheckpoint,

        @Bindable(defaultValue = "4") @Min(1) @Max(64) int readers) {

    StoreSettings toSettings(Path dataDir) {
        return new StoreSettings(
                dataDir.resolve(file),
                synchronous,
                busyTimeout,
                busyRetryTimeout,
                mmapSize,
                cacheSize,
                journalSizeLimit,
                walAutocheckpoint,
                readers);
    }
}
