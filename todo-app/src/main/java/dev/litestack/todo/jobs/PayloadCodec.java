package dev.litestack.todo.jobs;

/** Turns payloads into the JSON text stored in queue.db and back. */
public interface PayloadCodec {

    String encode(Object payload);

    <T> T decode(String json, Class<T> type);
}
