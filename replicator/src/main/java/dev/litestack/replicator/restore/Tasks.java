package dev.litestack.replicator.restore;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Waiting for a restore's background tasks (downloads, the file sync). */
final class Tasks {

    private Tasks() {}

    /**
     * The task's result; if it failed, the exception {@code failure} makes of its cause. An interrupt
     * while waiting ends the restore (the thread keeps its interrupt flag).
     */
    static <T> T await(Future<T> f, Function<Throwable, IOException> failure) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException("restore interrupted");
        } catch (ExecutionException e) {
            throw failure.apply(e.getCause());
        }
    }
}
