package dev.litestack.todo.web;

import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The heap that rendering may use at once, across every thread that renders (page requests, form answers,
 * websocket snapshots, broadcast jobs). A render first reserves its estimated peak ({@code app.web.render-budget},
 * default 48 MiB, in total); when the budget is taken it waits (fairly, in order) up to {@code app.web.render-wait},
 * then gives up with {@link Busy} (503 for HTTP, close 1013 for a socket). A render larger than the whole budget
 * runs alone. However many visitors ask for their largest lists at once, rendering never holds more than this.
 */
@Singleton
public final class RenderBudget {

    /** The budget stayed taken for the whole wait (503, try again later). */
    public static final class Busy extends RuntimeException implements PlainErrorResponses.PublicMessage {
        Busy() {
            super("the server is busy, try again in a moment", null, false, false);
        }
    }

    private final int totalKib;
    private final Duration wait;
    private final Semaphore kib;

    public RenderBudget(WebProperties settings) {
        this.totalKib = (int) Math.min(Integer.MAX_VALUE, settings.renderBudget() >> 10);
        this.wait = settings.renderWait();
        this.kib = new Semaphore(totalKib, true);
    }

    /** Runs {@code render} once {@code estimatedBytes} of the budget are free, and gives them back after. */
    public <T> T render(long estimatedBytes, Supplier<T> render) {
        int need = (int) Math.max(1, Math.min(totalKib, (estimatedBytes + 1023) >> 10));
        try {
            if (!kib.tryAcquire(need, wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Busy();
        }
        try {
            return render.get();
        } finally {
            kib.release(need);
        }
    }

    /** KiB of the budget free now (for health and tests). */
    public int freeKib() {
        return kib.availablePermits();
    }

    public int totalKib() {
        return totalKib;
    }
}
