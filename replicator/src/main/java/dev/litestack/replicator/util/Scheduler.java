package dev.litestack.replicator.util;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where a component's timed work runs, and the clock it reads: a thread in production, a
 * scheduler that tests advance by hand, so that intervals, retention and backoff are tested
 * without waiting out real time. Tasks run one at a time, in the order they fall due.
 */
public interface Scheduler extends AutoCloseable {

    /** A scheduled task. */
    interface Task {
        boolean isDone();

        /** Cancels the task if it has not started. */
        void cancel();
    }

    Clock clock();

    /**
     * Runs {@code task} once {@code delay} has passed on this scheduler's clock.
     *
     * @throws java.util.concurrent.RejectedExecutionException once closed
     */
    Task schedule(Runnable task, Duration delay);

    /** Runs {@code task} as soon as possible, after the tasks already due. */
    <T> Future<T> submit(Callable<T> task);

    /** Stops running tasks; waits a little for the running one to finish. */
    @Override
    void close();

    /** One daemon thread named {@code name}, on {@code clock}. */
    static Scheduler thread(String name, Clock clock) {
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        return new Scheduler() {
            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public Task schedule(Runnable task, Duration delay) {
                ScheduledFuture<?> f = exec.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
                return new Task() {
                    @Override
                    public boolean isDone() {
                        return f.isDone();
                    }

                    @Override
                    public void cancel() {
                        f.cancel(false);
                    }
                };
            }

            @Override
            public <T> Future<T> submit(Callable<T> task) {
                return exec.submit(task);
            }

            @Override
            public void close() {
                exec.shutdownNow();
                try {
                    exec.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
