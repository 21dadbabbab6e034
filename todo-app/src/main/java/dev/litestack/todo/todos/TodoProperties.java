package dev.litestack.todo.todos;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * {@code app.todos.*}: input limits. Validated at start. The defaults (1,000 todos of up to 1,000 characters) keep
 * the largest list's page at about 3 MB of HTML (7 MB if every title is CJK), which renders within the
 * {@link dev.litestack.todo.web.RenderBudget} several times over.
 */
@Context
@ConfigurationProperties("app.todos")
record TodoProperties(
        @Bindable(defaultValue = "1000") @Min(1) @Max(10_000)
        int maxTitleLength,

        @Bindable(defaultValue = "1000") @Min(1) @Max(100_000)
        int maxTodosPerUser) {}
