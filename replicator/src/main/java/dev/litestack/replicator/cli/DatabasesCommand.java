package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.Config;
import dev.litestack.replicator.config.DbConfig;
import dev.litestack.replicator.config.ReplicaConfig;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databases}: the databases in the config and their replicas. */
@Command(
        name = "databases",
        mixinStandardHelpOptions = true,
        description = "List the databases in the configuration file.")
final class DatabasesCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    LogLevelOption logLevel;

    @Option(
            names = {"-json", "--json"},
            description = "Print JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        logLevel.configure(System.getenv());
        Config config = configOptions.load(System.getenv());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DbConfig d : config.dbs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", d.path().toString());
            m.put("replicas", d.replicas().stream().map(ReplicaConfig::name).collect(Collectors.joining(",")));
            rows.add(m);
        }
        if (json) {
            spec.commandLine().getOut().println(Json.array(rows));
            spec.commandLine().getOut().flush();
        } else {
            Table t = new Table("path", "replicas");
            rows.forEach(r -> t.add(r.values().toArray()));
            t.print(spec.commandLine().getOut());
        }
        return ExitCodes.OK;
    }
}
