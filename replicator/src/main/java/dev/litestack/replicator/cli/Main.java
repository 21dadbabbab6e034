package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.LoggingConfig;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.util.Log;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code replicator} command line: Litestream 0.3.13's commands and one-dash flags. */
@Command(
        name = "replicator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Streams SQLite WAL changes to S3 or a folder, in Litestream 0.3.13's replica format.",
        subcommands = {
            ReplicateCommand.class,
            RestoreCommand.class,
            ListingCommands.Generations.class,
            ListingCommands.Snapshots.class,
            ListingCommands.Wal.class,
            DatabasesCommand.class,
            VersionCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given writers and returns the exit code (used by tests in-process too). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            boolean debug = Log.get().enabled(Log.Level.DEBUG);
            if (ex instanceof CliException ce) {
                cmd.getErr().println("error: " + ce.getMessage());
                if (debug && ce.getCause() != null) {
                    cmd.getErr().println(Log.stackTrace(ce.getCause()));
                }
                cmd.getErr().flush();
                return ce.exitCode();
            }
            cmd.getErr().println("error: " + unexpected(cmd.getCommandName(), ex, debug));
            if (debug) {
                cmd.getErr().println(Log.stackTrace(ex));
            }
            cmd.getErr().flush();
            return ExitCodes.ERROR;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            c.getErr().flush();
            return ExitCodes.USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /**
     * An exception no command turned into a message: file errors in words ("no such file: <path>"),
     * anything else with its type and where it was thrown, never a bare {@code null}.
     */
    static String unexpected(String command, Exception ex, boolean debug) {
        if (ex instanceof java.io.IOException) {
            return Log.describe(ex);
        }
        String m = ex.getMessage();
        StackTraceElement[] at = ex.getStackTrace();
        return command + " failed: " + ex.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m)
                + (at.length == 0 ? "" : " at " + at[0])
                + (debug ? "" : " (run with -log-level debug for the stack trace)");
    }

    /** Sets up the process-wide log from the config's {@code logging} block and returns it. */
    static Log configureLogging(LoggingConfig lc) {
        Log log = new Log(Log.parseLevel(lc.level()), "json".equals(lc.type()), lc.stderr() ? System.err : System.out);
        Log.configure(log);
        return log;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {VersionCommand.version()};
        }
    }
}
