package dev.litestack.todo.sqlite;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;

/** Provides the application data store, {@code @Named("data")}, created (and validated) at start. */
@Factory
class DataStoreFactory {

    @Context
    @Named("data")
    @Bean(preDestroy = "close")
    SqliteStore dataStore(DataDirectory dataDir, DataStoreProperties properties) {
        return SqliteStore.open("data", properties.toSettings(dataDir.path()));
    }
}
