package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.LoggingConfig;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.util.Log;
import dev.litestack.replicator.util.NativeLibraries;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code replicator} command line: Litestream 0.3.13's commands and one-dash flags. */
@Command(
        name = "replicator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Streams SQLite WAL changes to S3 or a folder, in Litestream 0.3.13's replica format.")
public final class Main implements Runnable {

    /** Commands that decode LZ4 or open SQLite: their native libraries load while the command line is parsed. */
    private static final java.util.Set<String> USES_NATIVE_LIBRARIES = java.util.Set.of("replicate", "restore");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && USES_NATIVE_LIBRARIES.contains(args[0])) {
            NativeLibraries.preloadInBackground();
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** The subcommands, in the order of the usage help. */
    private static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("replicate", ReplicateCommand::new);
        m.put("restore", RestoreCommand::new);
        m.put("generations", ListingCommands.Generations::new);
        m.put("snapshots", ListingCommands.Snapshots::new);
        m.put("wal", ListingCommands.Wal::new);
        m.put("databases", DatabasesCommand::new);
        m.put("version", VersionCommand::new);
        return m;
    }

    /**
     * Runs the CLI with the given writers and returns the exit code (used by tests in-process too).
     * When the first argument names a command, only that command's model is built: picocli reads
     * every option's annotations by reflection, and building all seven took a good part of a cold
     * restore's start. Anything else (help, a typo, no command) gets all of them, for the usage
     * and the error messages.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        Supplier<Object> only = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (only != null) {
            cl.addSubcommand(only.get());
        } else {
            COMMANDS.values().forEach(c -> cl.addSubcommand(c.get()));
        }
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
