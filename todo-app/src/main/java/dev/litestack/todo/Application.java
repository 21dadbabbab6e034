package dev.litestack.todo;

import io.micronaut.runtime.Micronaut;

/** Starts the todo app: HTTP server plus the SQLite-backed data store, job queue, cache and cable. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
