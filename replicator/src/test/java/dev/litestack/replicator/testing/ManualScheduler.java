package dev.litestack.replicator.testing;

import dev.litestack.replicator.util.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link Scheduler} for tests: nothing runs until the test calls {@link #advance} or
 * {@link #runDue}, which move a {@link MutableClock} forward and run every task that falls due,
 * in order, on the test's thread. {@link #submit} runs its task at once, on the caller's thread.
 * Other threads may schedule tasks (a database monitor notifying a replica) at any time.
 */
public final class ManualScheduler implements Scheduler {

    private final MutableClock clock;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long seq;
    private boolean closed;

    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    private final class Entry implements Comparable<Entry>, Task {
        final Instant due;
        final long order;
        final Runnable task;
        volatile boolean done;

        Entry(Instant due, long order, Runnable task) {
            this.due = due;
            this.order = order;
            this.task = task;
        }

        @Override
        public int compareTo(Entry o) {
            int c = due.compareTo(o.due);
            return c != 0 ? c : Long.compare(order, o.order);
        }

        @Override
        public boolean isDone() {
            return done;
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                queue.remove(this);
            }
            done = true;
        }
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public synchronized Task schedule(Runnable task, Duration delay) {
        if (closed) {
            throw new RejectedExecutionException("scheduler closed");
        }
        Entry e = new Entry(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task);
        queue.add(e);
        return e;
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        try {
            return CompletableFuture.completedFuture(task.call());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs the tasks due now. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves the clock forward by {@code d}, running each task at the moment it falls due. */
    public void advance(Duration d) {
        Instant target = clock.instant().plus(d);
        while (true) {
            Entry next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due.isAfter(target)) {
                    break;
                }
                queue.poll();
            }
            if (next.due.isAfter(clock.instant())) {
                clock.set(next.due);
            }
            try {
                next.task.run();
            } finally {
                next.done = true;
            }
        }
        clock.set(target);
    }

    /** When the earliest task falls due, or null if none is scheduled. */
    public synchronized Instant nextDue() {
        Entry e = queue.peek();
        return e == null ? null : e.due;
    }

    @Override
    public synchronized void close() {
        closed = true;
        queue.clear();
    }
}
