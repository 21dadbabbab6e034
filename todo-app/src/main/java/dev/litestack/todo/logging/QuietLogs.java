package dev.litestack.todo.logging;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The application's {@link QuietLog}s: {@code http-errors} for unexpected failures and rejected bodies of HTTP
 * requests. Repeats are summarised every {@code app.log.repeat-interval} (default 60 s).
 */
@Factory
class QuietLogs {

    /** Kinds of failure tracked per log; more are counted together, so the tracking itself stays small. */
    static final int MAX_KINDS = 200;

    @Singleton
    @Named("http-errors")
    QuietLog httpErrors(Clock clock, @Value("${app.log.repeat-interval:60s}") Duration interval) {
        return new QuietLog(LoggerFactory.getLogger("dev.litestack.todo.web.HttpErrors"), clock, interval, MAX_KINDS);
    }

    /** Writes the counts of every log once per interval. */
    @Singleton
    static final class Flusher {
        private final List<QuietLog> logs;

        Flusher(List<QuietLog> logs) {
            this.logs = logs;
        }

        @Scheduled(fixedDelay = "${app.log.repeat-interval:60s}", initialDelay = "${app.log.repeat-interval:60s}")
        void flush() {
            logs.forEach(QuietLog::flush);
        }
    }
}
