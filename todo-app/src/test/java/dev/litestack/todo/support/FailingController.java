package dev.litestack.todo.support;

import dev.litestack.todo.sqlite.SqliteStoreException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Test-only route that fails unexpectedly, to check what a client sees of an internal error. */
@Requires(env = "test")
@Controller("/test-only")
public class FailingController {

    @Get("/boom")
    public String boom() {
        throw new IllegalStateException("internal detail that must not leak");
    }

    /** What a write on a full disk throws (the store's wrapper around SQLITE_FULL), tagged so a test finds its lines. */
    @Get("/disk-full/{tag}")
    public String diskFull(String tag) {
        throw new SqliteStoreException(
                "data store (todos.db) write failed: [SQLITE_FULL] database or disk is full " + tag,
                new SQLiteException("[SQLITE_FULL] database or disk is full", SQLiteErrorCode.SQLITE_FULL));
    }
}
