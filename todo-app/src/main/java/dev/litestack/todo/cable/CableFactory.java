package dev.litestack.todo.cable;

import dev.litestack.todo.sqlite.DataDirectory;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import java.time.Clock;

/** Provides the {@link Cable} bean. */
@Factory
class CableFactory {

    @Context
    @Bean(preDestroy = "close")
    Cable cable(DataDirectory dataDir, CableProperties properties, Clock clock) {
        return Cable.open(properties.toCableSettings(dataDir.path()), clock);
    }
}
