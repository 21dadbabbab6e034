package dev.litestack.todo.jobs;

import dev.litestack.todo.sqlite.DataDirectory;
import dev.litestack.todo.sqlite.SqliteStore;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;

/** Wires the job queue: handlers are all {@link JobHandler} beans; payloads are JSON through Micronaut serde. */
@Factory
class JobsFactory {

    @Singleton
    PayloadCodec payloadCodec(JsonMapper json) {
        return new PayloadCodec() {
            @Override
            public String encode(Object payload) {
                try {
                    return json.writeValueAsString(payload);
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot encode job payload " + payload.getClass().getName(), e);
                }
            }

            @Override
            public <T> T decode(String text, Class<T> type) {
                try {
                    return json.readValue(text, Argument.of(type));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot decode job payload as " + type.getName(), e);
                }
            }
        };
    }

    @Context
    @Bean(preDestroy = "close")
    JobQueue jobQueue(
            DataDirectory dataDir,
            QueueProperties properties,
            List<JobHandler<?>> handlers,
            PayloadCodec codec,
            Clock clock,
            @Named("data") SqliteStore data) {
        return JobQueue.start(properties.toQueueSettings(dataDir.path()), handlers, codec, clock, data);
    }
}
