package dev.litestack.todo.support;

import io.micronaut.serde.annotation.Serdeable;

/** A job payload as the app will use them: ids only. */
@Serdeable
public record TodoPayload(String userId, long todoId) {}
