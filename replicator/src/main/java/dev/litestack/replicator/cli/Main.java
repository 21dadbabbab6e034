package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.LoggingConfig;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.util.Log;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code replicator} command line: Litestream 0.3.13's commands and one-dash flags. */
@Command(name = "replicator", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Streams SQLite WAL changes to S3 or a folder, in Litestream 0.3.13's replica format.",
        subcommands = {ReplicateCommand.class, RestoreCommand.class, ListingCommands.Generations.class,
                ListingCommands.Snapshots.class, ListingCommands.Wal.class, DatabasesCommand.class,
                VersionCommand.class})
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
            if (ex instanceof CliException ce) {
                cmd.getErr().println("error: " + ce.getMessage());
                cmd.getErr().flush();
                return ce.exitCode();
            }
            // file errors in words ("no such file: <path>"), anything else with its type
            String what = ex instanceof java.io.IOException ? dev.litestack.replicator.util.Log.describe(ex)
                    : ex.getClass().getSimpleName() + ": " + dev.litestack.replicator.util.Log.describe(ex);
            cmd.getErr().println("error: " + what);
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
