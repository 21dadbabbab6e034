package dev.litestack.replicator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end of {@code replicate}, with real child processes: which exit code wins, and the final sync always runs. */
class ShutdownTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final Log log = new Log(Log.Level.INFO, false, new PrintStream(logs, true, StandardCharsets.UTF_8));
    private final Signals signals = new Signals();
    private final CompletableFuture<String> leaseLost = new CompletableFuture<>();
    private final AtomicBoolean synced = new AtomicBoolean();

    private Supervisor child(String script) throws Exception {
        Supervisor s = new Supervisor(List.of("sh", "-c", script), Map.of(), log);
        s.start();
        return s;
    }

    private int await(Supervisor child, Duration timeout, boolean finalSyncOk) {
        return new Shutdown(signals, leaseLost, timeout, log).await(child, () -> {
            synced.set(true);
            return finalSyncOk;
        });
    }

    @Test
    void theChildsExitCodeBecomesOursAfterTheFinalSync() throws Exception {
        assertEquals(3, await(child("exit 3"), Duration.ofSeconds(10), true));
        assertTrue(synced.get());
        assertTrue(logs.toString().contains("exec process exited, shutting down"), logs.toString());
    }

    @Test
    void aFailedFinalSyncTurnsSuccessIntoAnError() throws Exception {
        assertEquals(ExitCodes.ERROR, await(child("exit 0"), Duration.ofSeconds(10), false));
        assertTrue(synced.get());
    }

    @Test
    void aChildEndedByTheForwardedSignalCountsAsSuccess() throws Exception {
        Supervisor child = child("exec sleep 60");
        signals.stopRequested().complete("TERM");
        child.signal("TERM"); // what the installed handler forwards
        assertEquals(ExitCodes.OK, await(child, Duration.ofSeconds(10), true));
        assertFalse(child.isAlive());
    }

    @Test
    void aChildThatIgnoresTheSignalIsKilledAfterTheTimeout() throws Exception {
        // the shell must have set its trap before the signal comes, or TERM ends it at once
        Path ready = tmp.resolve("trap-set");
        Supervisor child = child("trap '' TERM; : > '" + ready + "'; while :; do sleep 0.05; done");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));
        signals.stopRequested().complete("TERM");
        child.signal("TERM");
        int code = await(child, Duration.ofMillis(300), true);
        assertFalse(child.isAlive());
        assertEquals(137, code, "killed: 128 + SIGKILL");
        assertTrue(logs.toString().contains("exec process did not stop in time, killing it"), logs.toString());
    }

    @Test
    void aLostLeaseStopsTheChildAndIsAnError() throws Exception {
        Supervisor child = child("exec sleep 60");
        leaseLost.complete("lost");
        assertEquals(ExitCodes.ERROR, await(child, Duration.ofSeconds(10), true));
        assertFalse(child.isAlive());
        assertTrue(synced.get());
    }

    @Test
    void withoutAChildAStopSignalEndsCleanly() {
        signals.stopRequested().complete("INT");
        assertEquals(ExitCodes.OK, await(null, Duration.ofSeconds(1), true));
        assertTrue(synced.get());
    }
}
