package dev.litestack.todo.sqlite;

import java.sql.SQLException;

/** Work done on one {@link Session} inside {@link SqliteStore#read} or {@link SqliteStore#write}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Session session) throws SQLException;
}
