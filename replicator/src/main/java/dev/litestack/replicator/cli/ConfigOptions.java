package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.Config;
import dev.litestack.replicator.config.ConfigException;
import dev.litestack.replicator.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code -config} and {@code -no-expand-env}, shared by every command that reads litestream.yml. */
public final class ConfigOptions {

    @Option(names = "-config", paramLabel = "PATH",
            description = "Configuration file (default: $LITESTREAM_CONFIG, else /etc/litestream.yml).")
    Path config;

    @Option(names = "-no-expand-env", description = "Do not expand $VAR and ${VAR} in the configuration file.")
    boolean noExpandEnv;

    boolean explicit() {
        return config != null;
    }

    Config load(Map<String, String> env) throws CliException {
        Path file = config != null ? config : ConfigLoader.defaultPath(env);
        try {
            return ConfigLoader.load(file, !noExpandEnv, env);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage());
        }
    }
}
