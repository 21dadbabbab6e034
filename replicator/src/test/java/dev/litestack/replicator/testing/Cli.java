package dev.litestack.replicator.testing;

import dev.litestack.replicator.cli.Main;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CLI in-process through {@link Main#run} or as a real child process on the test classpath. */
public final class Cli {

    /** An exit code and what was printed. */
    public record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {}

    /** In-process: parses and runs {@code args}, capturing the command's own writers. */
    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** The command line that starts {@code mainClass} in a new JVM with the test classpath. */
    public static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("--enable-native-access=ALL-UNNAMED"); // sqlite-jdbc and lz4 load native code (the jar's manifest says
        // so)
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** Starts the replicator CLI as a child process; stdout and stderr go to {@code logDir}/cli.out and cli.err. */
    public static Process start(Path logDir, String... args) throws IOException {
        return start(logDir, java.util.Map.of(), args);
    }

    /** Starts the replicator CLI as a child process with extra environment variables. */
    public static Process start(Path logDir, java.util.Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(javaCommand("dev.litestack.replicator.cli.Main", args));
        pb.environment().putAll(env);
        pb.redirectOutput(logDir.resolve("cli.out").toFile());
        pb.redirectError(logDir.resolve("cli.err").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    /** Runs the CLI as a child process to completion (at most 60 s). */
    public static Result exec(Path logDir, String... args) throws IOException, InterruptedException {
        Process p = start(logDir, args);
        return await(p, logDir);
    }

    /** Runs the CLI as a child process with extra environment variables to completion (at most 60 s). */
    public static Result exec(Path logDir, java.util.Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return await(start(logDir, env, args), logDir);
    }

    /** Waits up to 60 s for a process started by {@link #start} and collects its output. */
    public static Result await(Process p, Path logDir) throws IOException, InterruptedException {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("CLI did not exit within 60 s:\n" + output(logDir));
        }
        return new Result(
                p.exitValue(),
                Files.readString(logDir.resolve("cli.out")),
                Files.readString(logDir.resolve("cli.err")));
    }

    /** Everything the child printed so far (for failure messages). */
    public static String output(Path logDir) throws IOException {
        Path o = logDir.resolve("cli.out");
        Path e = logDir.resolve("cli.err");
        return (Files.exists(o) ? Files.readString(o) : "") + (Files.exists(e) ? Files.readString(e) : "");
    }
}
