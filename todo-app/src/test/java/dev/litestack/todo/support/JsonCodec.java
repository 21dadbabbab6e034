package dev.litestack.todo.support;

import dev.litestack.todo.jobs.PayloadCodec;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The production JSON mapping (Micronaut serde), without an application context. */
public final class JsonCodec implements PayloadCodec {

    private final JsonMapper json = JsonMapper.createDefault();

    @Override
    public String encode(Object payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public <T> T decode(String text, Class<T> type) {
        try {
            return json.readValue(text, Argument.of(type));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
