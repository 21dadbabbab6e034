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
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code replicator} command line: Litestream 0.3.13's commands and one-dash flags. Each command
 * builds its picocli model in code ({@link Specs}: no annotations to reflect on at start).
 */
public final class Main implements Runnable {

    /** Commands that decode LZ4 or open SQLite: their native libraries load while the command line is parsed. */
    private static final java.util.Set<String> USES_NATIVE_LIBRARIES = java.util.Set.of("replicate", "restore");

    private CommandSpec spec;

    public static void main(String[] args) {
        prepare(args);
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * What a process does before its command line is parsed: starts loading the native libraries a
     * command will need, and switches off two picocli start-up costs it does not need.
     */
    static void prepare(String[] args) {
        if (args.length > 0 && USES_NATIVE_LIBRARIES.contains(args[0])) {
            NativeLibraries.preloadInBackground();
        }
        // picocli's documented switches: at its first parse it would look for Groovy on the class path
        // and register converters for java.sql and java.time types by reflection; no option here takes
        // those types, and the two cost a cold start about 10 ms
        System.setProperty("picocli.disable.closures", "true");
        System.setProperty("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\..*");
    }

    /** The subcommands, in the order of the usage help. */
    private static final Map<String, Supplier<CommandSpec>> COMMANDS = commands();

    private static Map<String, Supplier<CommandSpec>> commands() {
        Map<String, Supplier<CommandSpec>> m = new LinkedHashMap<>();
        m.put("replicate", () -> new ReplicateCommand().spec());
        m.put("restore", () -> new RestoreCommand().spec());
        m.put("generations", () -> new ListingCommands.Generations().spec());
        m.put("snapshots", () -> new ListingCommands.Snapshots().spec());
        m.put("wal", () -> new ListingCommands.Wal().spec());
        m.put("databases", () -> new DatabasesCommand().spec());
        m.put("version", () -> new VersionCommand().spec());
        return m;
    }

    /**
     * Runs the CLI with the given writers and returns the exit code (used by tests in-process too).
     * When the first argument names a command, only that command's model is built. Anything else
     * (help, a typo, no command) gets all of them, for the usage and the error messages.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        main.spec = Specs.command(
                main,
                "replicator",
                "Streams SQLite WAL changes to S3 or a folder, in Litestream 0.3.13's replica format.");
        CommandLine cl = new CommandLine(main.spec);
        Supplier<CommandSpec> only = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (only != null) {
            cl.addSubcommand(new CommandLine(only.get()));
        } else {
            COMMANDS.values().forEach(c -> cl.addSubcommand(new CommandLine(c.get())));
            cl.addSubcommand(new CommandLine.HelpCommand()); // `help [COMMAND]`, as Litestream has
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
