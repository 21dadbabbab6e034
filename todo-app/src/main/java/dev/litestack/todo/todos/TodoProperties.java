package dev.litestack.todo.todos;

import dev.litestack.todo.sqlite.ConfigCheck;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;

/**
 * {@code app.todos.*}: input limits. Validated at start. The defaults (1,000 todos of up to 1,000 characters) keep
 * the largest list's page at about 3 MB of HTML (7 MB if every title is CJK), which renders within the
 * {@link dev.litestack.todo.web.RenderBudget} several times over.
 */
@Context
@ConfigurationProperties("app.todos")
public class TodoProperties {

    private int maxTitleLength = 1000;
    private int maxTodosPerUser = 1_000;

    @PostConstruct
    void validate() {
        ConfigCheck.range("app.todos.max-title-length", maxTitleLength, 1, 10_000);
        ConfigCheck.range("app.todos.max-todos-per-user", maxTodosPerUser, 1, 100_000);
    }

    public int getMaxTitleLength() {
        return maxTitleLength;
    }

    public void setMaxTitleLength(int maxTitleLength) {
        this.maxTitleLength = maxTitleLength;
    }

    public int getMaxTodosPerUser() {
        return maxTodosPerUser;
    }

    public void setMaxTodosPerUser(int maxTodosPerUser) {
        this.maxTodosPerUser = maxTodosPerUser;
    }
}
