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
import picocli.CommandLine.Model.CommandSpec;

/** {@code databases}: the databases in the config and their replicas. */
final class DatabasesCommand implements Callable<Integer> {

    final ConfigOptions configOptions = new ConfigOptions();
    final LogLevelOption logLevel = new LogLevelOption();
    boolean json;
    CommandSpec spec;

    CommandSpec spec() {
        spec = Specs.command(this, "databases", "List the databases in the configuration file.");
        configOptions.addTo(spec);
        logLevel.addTo(spec);
        Specs.flag(spec, "-json", "Print JSON instead of a table.", v -> json = v);
        return spec;
    }

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
