package dev.litestack.todo.todos;

import dev.litestack.todo.sqlite.ConfigCheck;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;

/** {@code app.todos.*}: input limits. Validated at start. */
@Context
@ConfigurationProperties("app.todos")
public class TodoProperties {

    private int maxTitleLength = 1000;
    private int maxTodosPerUser = 10_000;

    @PostConstruct
    void validate() {
        ConfigCheck.range("app.todos.max-title-length", maxTitleLength, 1, 10_000);
        ConfigCheck.range("app.todos.max-todos-per-user", maxTodosPerUser, 1, 1_000_000);
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
