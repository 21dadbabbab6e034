package dev.litestack.todo.cable;

/** A subscriber's handle: closing it unsubscribes. */
public interface Subscription extends AutoCloseable {

    String channel();

    /** Stops delivery to this subscriber; idempotent. */
    @Override
    void close();
}
