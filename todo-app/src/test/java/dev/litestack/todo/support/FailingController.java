package dev.litestack.todo.support;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** Test-only route that fails unexpectedly, to check what a client sees of an internal error. */
@Requires(env = "test")
@Controller("/test-only")
public class FailingController {

    @Get("/boom")
    public String boom() {
        throw new IllegalStateException("internal detail that must not leak");
    }
}
