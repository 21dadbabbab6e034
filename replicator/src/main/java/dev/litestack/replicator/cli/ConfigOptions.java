package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.Config;
import dev.litestack.replicator.config.ConfigException;
import dev.litestack.replicator.config.ConfigLoader;
import dev.litestack.replicator.util.Log;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code -config} and {@code -no-expand-env}, shared by every command that reads litestream.yml.
 * Like every flag, each also takes two dashes ({@code --config}), as Go's flag package allows.
 */
final class ConfigOptions {

    Path config;
    boolean noExpandEnv;

    /** Adds the two options to a command. */
    ConfigOptions addTo(CommandSpec s) {
        Specs.option(
                s,
                "-config",
                "PATH",
                Path.class,
                "Configuration file (default: $LITESTREAM_CONFIG, else /etc/litestream.yml).",
                v -> config = v);
        Specs.flag(
                s, "-no-expand-env", "Do not expand $VAR and $${VAR} in the configuration file.", v -> noExpandEnv = v);
        return this;
    }

    boolean explicit() {
        return config != null;
    }

    /** Reads the config and logs its warnings to the process log. */
    Config load(Map<String, String> env) throws CliException {
        Config c = read(env);
        warn(c, Log.get());
        return c;
    }

    /** Logs what reading the config ignored (unknown top-level keys). */
    static void warn(Config c, Log log) {
        for (String w : c.warnings()) {
            log.warn("config: " + w, "config", c.file());
        }
    }

    /** Reads the config without logging (for a caller that configures the log from it first). */
    Config read(Map<String, String> env) throws CliException {
        Path file = config != null ? config : ConfigLoader.defaultPath(env);
        try {
            return ConfigLoader.load(file, !noExpandEnv, env);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage());
        }
    }
}
