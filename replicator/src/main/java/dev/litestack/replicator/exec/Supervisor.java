package dev.litestack.replicator.exec;

import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code -exec} child: started with the replicator's stdin, stdout and stderr and
 * environment, sent SIGTERM/SIGINT when the replicator is asked to stop, and waited for.
 */
public final class Supervisor {

    private final List<String> command;
    private final Map<String, String> extraEnv;
    private final Log log;
    private Process process;

    public Supervisor(List<String> command, Map<String, String> extraEnv, Log log) {
        this.command = List.copyOf(command);
        this.extraEnv = Map.copyOf(extraEnv);
        this.log = log;
    }

    /** Splits a command string with shell-word rules (quotes and backslashes), without running a shell. */
    public static List<String> split(String cmd) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < cmd.length(); i++) {
            char c = cmd.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < cmd.length() && "\"\\$`".indexOf(cmd.charAt(i + 1)) >= 0) {
                    cur.append(cmd.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < cmd.length()) {
                cur.append(cmd.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated quote in exec command: " + cmd);
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }

    public void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().putAll(extraEnv);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start exec command " + command.get(0) + ": " + Log.describe(e), e);
        }
        log.info("exec process started", "pid", process.pid(), "command", String.join(" ", command));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Waits for the child; returns its exit code (128 + signal number if a signal ended it). */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Waits up to {@code timeout}; returns the exit code or null if it still runs. */
    public Integer waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** Sends {@code signal} ("TERM" or "INT") to the child. */
    public void signal(String signal) {
        if (!isAlive()) {
            return;
        }
        if ("TERM".equals(signal)) {
            process.destroy();
            return;
        }
        try {
            Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            k.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}
