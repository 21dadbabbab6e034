package dev.litestack.replicator.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ReplicatorMain} child JVM (same Java, same test class path). Its stdout lines are
 * read by a daemon thread; its stderr is appended to a log file that survives kills.
 */
public final class ReplicatorProcess {

    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ReplicatorProcess(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::pump, "replicator-child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    public static ReplicatorProcess start(Path db, Path replica, int minCheckpointPages, Path stderrLog)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        java,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        cp,
                        ReplicatorMain.class.getName(),
                        db.toString(),
                        replica.toString(),
                        String.valueOf(minCheckpointPages)))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
        return new ReplicatorProcess(pb.start());
    }

    private void pump() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process died: end of output
        }
        lines.add(EOF);
    }

    /**
     * The next stdout line, or null if the process ended first. Fails after {@code timeout}, which
     * only a hung child can reach.
     */
    public String nextLine(Duration timeout) throws InterruptedException {
        String l = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (l == null) {
            throw new AssertionError("replicator child wrote nothing for " + timeout);
        }
        if (l.equals(EOF)) {
            lines.add(EOF);
            return null;
        }
        return l;
    }

    /** Sends one command line; returns false if the child is already gone. */
    public boolean send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Sends {@code stop} and waits for the exit code. */
    public int stop(Duration timeout) throws InterruptedException {
        send("stop");
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("replicator child did not stop within " + timeout);
        }
        return process.exitValue();
    }
}
