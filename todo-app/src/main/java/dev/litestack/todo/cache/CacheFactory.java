package dev.litestack.todo.cache;

import dev.litestack.todo.sqlite.DataDirectory;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import java.time.Clock;

/** Provides the {@link SqliteCache} bean. */
@Factory
class CacheFactory {

    @Context
    @Bean(preDestroy = "close")
    SqliteCache cache(DataDirectory dataDir, CacheProperties properties, Clock clock) {
        return SqliteCache.open(properties.toCacheSettings(dataDir.path()), clock);
    }
}
