package dev.litestack.replicator.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Short-lived application processes that write to a database and exit: the {@code sqlite3} shell
 * and a JDBC writer JVM ({@link JdbcWriterMain}). Each closes its connection at the end, so
 * SQLite's last-close checkpoint-and-delete runs unless another process holds the database open.
 */
public final class Writers {

    /** Which kind of process writes. */
    public enum Kind {
        SHELL,
        JDBC
    }

    private Writers() {}

    /** Runs {@code sql} in a {@code sqlite3} shell process (10 s busy timeout) and returns its output. */
    public static String sqlite3(Path db, String sql) throws IOException, InterruptedException {
        return run(List.of("sqlite3", "-bail", "-cmd", ".timeout 10000", db.toString(), sql), db);
    }

    /** The statements that insert rows {@code first..first+count-1} of table {@code t}, one transaction each. */
    public static String insertSql(int first, int count) {
        StringBuilder sb = new StringBuilder("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);");
        for (int i = first; i < first + count; i++) {
            sb.append("INSERT INTO t (id, v) VALUES (")
                    .append(i)
                    .append(", '")
                    .append(AppDb.value(i))
                    .append("');");
        }
        return sb.toString();
    }

    /**
     * Inserts rows {@code first..first+count-1} in a new process of the given kind, at most
     * {@code rate} rows a second (JDBC only; 0: as fast as it can), and waits for it to exit.
     */
    public static void insert(Kind kind, Path db, int first, int count, int rate)
            throws IOException, InterruptedException {
        if (kind == Kind.SHELL) {
            sqlite3(db, "PRAGMA journal_mode=wal;" + insertSql(first, count));
        } else {
            String out = run(
                    Cli.javaCommand(
                            JdbcWriterMain.class.getName(),
                            db.toString(),
                            String.valueOf(first),
                            String.valueOf(count),
                            String.valueOf(rate)),
                    db);
            assertEquals("COMMITTED " + (first + count), out.strip(), "jdbc writer output");
        }
    }

    private static String run(List<String> cmd, Path db) throws IOException, InterruptedException {
        Path log = Files.createTempFile(db.toAbsolutePath().getParent(), "writer-", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(cmd))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", cmd.subList(0, 1)) + " writer did not finish within 120 s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("writer " + cmd.get(0) + " exited " + p.exitValue() + ":\n" + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** True if this process holds a POSIX lock on {@code file} (read from /proc/locks). */
    public static boolean thisProcessLocks(Path file) throws IOException {
        long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        String pid = Long.toString(ProcessHandle.current().pid());
        for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
            String[] f = line.trim().split("\\s+");
            // "1: POSIX  ADVISORY  READ 1234 08:01:123456 1073741824 1073741824"
            if (f.length >= 6 && f[1].equals("POSIX") && f[4].equals(pid) && f[5].endsWith(":" + inode)) {
                return true;
            }
        }
        return false;
    }
}
