package dev.litestack.todo.sqlite;

import io.micronaut.context.annotation.ConfigurationProperties;

/** {@code app.data.*}: the application's own data file (todos). */
@ConfigurationProperties("app.data")
public class DataStoreProperties extends StoreProperties {

    public DataStoreProperties() {
        super("todos.db", "NORMAL", 128L * 1024 * 1024);
        setReaders(4);
    }

    @Override
    protected String prefix() {
        return "app.data";
    }
}
