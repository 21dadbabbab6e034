package dev.litestack.replicator.cli;

import dev.litestack.replicator.exec.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code version}: prints the replicator's version. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(version() + " (replica format: litestream v0.3.13)");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
