package dev.litestack.todo.cable;

import static dev.litestack.todo.sqlite.StoreSettings.FILE_NAME;
import static dev.litestack.todo.sqlite.StoreSettings.FILE_NAME_RULE;
import static dev.litestack.todo.sqlite.StoreSettings.SYNCHRONOUS;
import static dev.litestack.todo.sqlite.StoreSettings.SYNCHRONOUS_RULE;

import dev.litestack.todo.config.MinDuration;
import dev.litestack.todo.sqlite.StoreSettings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code app.cable.*}: the pub/sub file (cable.db), polling and retention (see {@link CableSettings}); the SQLite
 * keys are those of {@link StoreSettings}. Defaults need no configuration.
 */
@ConfigurationProperties("app.cable")
public record CableProperties(
        @Bindable(defaultValue = "cable.db") @Pattern(regexp = FILE_NAME, message = FILE_NAME_RULE)
        String file,

        @Bindable(defaultValue = "OFF") @Pattern(regexp = SYNCHRONOUS, message = SYNCHRONOUS_RULE)
        String synchronous,

        @Bindable(defaultValue = "5s") @MinDuration Duration busyTimeout,
        @Bindable(defaultValue = "60s") @MinDuration Duration busyRetryTimeout,

        @Bindable(defaultValue = "16777216") @Min(0) @Max(1L << 40)
        long mmapSize,

        @Bindable(defaultValue = "2000") @Min(-4_000_000) @Max(4_000_000)
        int cacheSize,

        @Bindable(defaultValue = "67108864") @Min(-1) @Max(1L << 40)
        long journalSizeLimit,

        @Bindable(defaultValue = "10000") @Min(0) @Max(10_000_000)
        int walAutocheckpoint,

        @Bindable(defaultValue = "2") @Min(1) @Max(64) int readers,
        @Bindable(defaultValue = "20ms") @MinDuration Duration pollInterval,

        @Bindable(defaultValue = "500") @Min(1) @Max(100_000)
        int batchSize,

        @Bindable(defaultValue = "5m") @MinDuration("1s") Duration retention,
        @Bindable(defaultValue = "30s") @MinDuration Duration trimInterval,

        @Bindable(defaultValue = "1000") @Min(1) @Max(10_000_000)
        int maxMessages,

        @Bindable(defaultValue = "65536") @Min(1) @Max(1 << 30)
        int maxStoredMessageLength,

        @Bindable(defaultValue = "16777216") @Min(1) @Max(1L << 40)
        long maxPendingBytes) {

    public CableSettings toCableSettings(Path dataDir) {
        return new CableSettings(
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
                pollInterval,
                batchSize,
                retention,
                trimInterval,
                maxMessages,
                maxStoredMessageLength,
                maxPendingBytes);
    }
}
