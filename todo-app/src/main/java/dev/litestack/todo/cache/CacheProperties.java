package dev.litestack.todo.cache;

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
 * {@code app.cache.*}: the cache file (cache.db), its caps and pruner (see {@link CacheSettings}); the SQLite keys
 * are those of {@link StoreSettings}. Defaults need no configuration.
 */
@ConfigurationProperties("app.cache")
public record CacheProperties(
        @Bindable(defaultValue = "cache.db") @Pattern(regexp = FILE_NAME, message = FILE_NAME_RULE)
        String file,

        @Bindable(defaultValue = "OFF") @Pattern(regexp = SYNCHRONOUS, message = SYNCHRONOUS_RULE)
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

        @Bindable(defaultValue = "4") @Min(1) @Max(64) int readers,
        @Bindable(defaultValue = "30d") @MinDuration Duration defaultTtl,

        @Bindable(defaultValue = "134217728") @Min(4096) @Max(1L << 40)
        long maxBytes,

        @Bindable(defaultValue = "0") @Min(0) @Max(1L << 40) long maxEntries,
        @Bindable(defaultValue = "30s") @MinDuration Duration pruneInterval,
        @Bindable(defaultValue = "1s") @MinDuration Duration touchInterval) {

    public CacheSettings toCacheSettings(Path dataDir) {
        return new CacheSettings(
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
                defaultTtl,
                maxBytes,
                maxEntries,
                pruneInterval,
                touchInterval);
    }
}
