package dev.litestack.replicator.exec;

import dev.litestack.replicator.util.Log;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * How {@code replicate} ends, in order: wait for the first of a stop signal, a lost lease and (with
 * {@code -exec}) the child's exit; stop the child within the shutdown timeout (SIGTERM, then a
 * kill); run the final sync; settle the exit code. The code is the child's, except that a child
 * ended by the signal we forwarded counts as success (as in Litestream); a lost lease, and a final
 * sync that could not ship everything, make it {@link ExitCodes#ERROR}.
 */
public final class Shutdown {

    private final Signals signals;
    private final CompletableFuture<?> leaseLost;
    private final Duration timeout;
    private final Log log;

    /**
     * @param leaseLost completes when the lease is lost with {@code on-conflict: exit}
     * @param timeout   how long the child has to stop after SIGTERM before it is killed
     */
    public Shutdown(Signals signals, CompletableFuture<?> leaseLost, Duration timeout, Log log) {
        this.signals = signals;
        this.leaseLost = leaseLost;
        this.timeout = timeout;
        this.log = log;
    }

    /**
     * Waits for the end (the child is null without {@code -exec}), stops the child, then runs
     * {@code finalSync} (false: something was not shipped) and returns the process's exit code.
     */
    public int await(Supervisor child, BooleanSupplier finalSync) {
        int code = ExitCodes.OK;
        if (child != null) {
            code = awaitChild(child);
        } else {
            CompletableFuture.anyOf(signals.stopRequested(), leaseLost).join();
        }
        if (leaseLost.isDone()) {
            log.error("lease lost (lease on-conflict: exit), shutting down");
            code = ExitCodes.ERROR;
        }
        if (!finalSync.getAsBoolean() && code == ExitCodes.OK) {
            code = ExitCodes.ERROR;
        }
        log.info("shut down", "exit_code", code);
        return code;
    }

    private int awaitChild(Supervisor sup) {
        CompletableFuture<Integer> exited = CompletableFuture.supplyAsync(() -> {
            try {
                return sup.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.ERROR;
            }
        });
        CompletableFuture.anyOf(exited, signals.stopRequested(), leaseLost).join();
        if (leaseLost.isDone() && !exited.isDone()) {
            log.error("lease lost (lease on-conflict: exit), stopping the exec process", "pid", sup.pid());
            sup.signal("TERM");
        }
        if (exited.isDone()) {
            int code = exited.join();
            log.info("exec process exited, shutting down", "exit_code", code);
            return forwardedSignalIsSuccess(code); // it may have ended on our signal before we looked
        }
        log.info("waiting for exec process to close", "pid", sup.pid());
        Integer c;
        try {
            c = sup.waitFor(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c = null;
        }
        if (c == null) {
            log.warn("exec process did not stop in time, killing it", "pid", sup.pid());
            sup.kill();
            c = exited.join();
        }
        return forwardedSignalIsSuccess(c);
    }

    /** A child that ended because of the signal we forwarded exited well, as Litestream treats it. */
    private int forwardedSignalIsSuccess(int code) {
        String sig = signals.stopRequested().getNow("");
        if (("TERM".equals(sig) && code == 143) || ("INT".equals(sig) && code == 130)) {
            return ExitCodes.OK;
        }
        return code;
    }
}
