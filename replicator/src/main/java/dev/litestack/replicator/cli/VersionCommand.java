package dev.litestack.replicator.cli;

import dev.litestack.replicator.exec.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code version}: prints the replicator's version. */
final class VersionCommand implements Callable<Integer> {

    private CommandSpec spec;

    CommandSpec spec() {
        spec = Specs.command(this, "version", "Print the version.");
        return spec;
    }

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
