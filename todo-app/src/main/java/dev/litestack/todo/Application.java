package dev.litestack.todo;

import dev.litestack.todo.config.ConfigValidation;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the todo app: HTTP server plus the SQLite-backed data store, job queue, cache and cable. */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {}

    public static void main(String[] args) {
        new Micronaut() {
            /** A bad setting ends the start with one line naming the key (the stack trace only at debug level). */
            @Override
            protected void handleStartupException(Environment environment, Throwable error) {
                Optional<String> bad = ConfigValidation.badSetting(error);
                if (bad.isEmpty()) {
                    super.handleStartupException(environment, error);
                    return;
                }
                LOG.error("cannot start, invalid configuration: {}", bad.get());
                LOG.debug("start-up failure", error);
                System.exit(1);
            }
        }.mainClass(Application.class).args(args).start();
    }
}
