package dev.litestack.todo.sqlite;

/** An SQLite failure, with the store (file) and the operation that failed. */
public final class SqliteStoreException extends RuntimeException {

    public SqliteStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public SqliteStoreException(String message) {
        super(message);
    }
}
