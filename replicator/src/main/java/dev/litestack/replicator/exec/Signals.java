package dev.litestack.replicator.exec;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Turns SIGTERM and SIGINT into an orderly stop: the first signal completes {@link #stopRequested()}
 * with its name; the JVM does not exit by itself, so the caller can stop the child and run the final sync.
 */
public final class Signals {

    private final CompletableFuture<String> stop = new CompletableFuture<>();

    public CompletableFuture<String> stopRequested() {
        return stop;
    }

    /** Installs handlers for TERM and INT; {@code onSignal} also sees every later signal (to forward it). */
    public void install(Consumer<String> onSignal) {
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                onSignal.accept(name);
                stop.complete(name);
            });
        }
    }
}
