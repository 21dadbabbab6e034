package dev.litestack.replicator.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code litestream.yml} the way Litestream 0.3.13 does (environment expansion over the
 * whole text, then YAML), but rejects what Litestream silently ignores or misreads: unknown keys
 * inside {@code dbs} and {@code logging}, wrong types, bad durations, conflicting fields. Unknown
 * top-level keys (such as an {@code x-defaults:} block that only holds YAML anchors) are ignored
 * as Litestream ignores them, with a warning each. See {@code docs/configuration.md}.
 */
public final class ConfigLoader {

    /** Where the config is read from when neither {@code -config} nor {@code LITESTREAM_CONFIG} is given. */
    static final Path DEFAULT_PATH = Path.of("/etc/litestream.yml");

    private static final List<String> TOP_KEYS = List.of(
            "dbs",
            "addr",
            "exec",
            "access-key-id",
            "secret-access-key",
            "logging",
            "shutdown-timeout",
            "health-max-sync-age",
            "lease");
    private static final List<String> DB_KEYS = List.of(
            "path",
            "meta-path",
            "monitor-interval",
            "checkpoint-interval",
            "min-checkpoint-page-count",
            "max-checkpoint-page-count",
            "restore-if-db-not-exists",
            "replicas");
    private static final List<String> LOGGING_KEYS = List.of("level", "type", "stderr");

    private ConfigLoader() {}

    /** {@code LITESTREAM_CONFIG} if set and not empty, else {@code /etc/litestream.yml}. */
    public static Path defaultPath(Map<String, String> env) {
        String v = env.get("LITESTREAM_CONFIG");
        return v == null || v.isEmpty() ? DEFAULT_PATH : Path.of(v);
    }

    /** The largest config file read (a litestream.yml is a few KB; a bigger file is a mistake, not a config). */
    static final int MAX_CONFIG_BYTES = 4 << 20;

    /**
     * Reads and validates a config file. A leading {@code ~} in {@code file} is the home directory;
     * relative paths are resolved against the working directory.
     *
     * @param expandEnv false for {@code -no-expand-env}
     * @param env       the environment for {@code $VAR} expansion and {@code ~}
     */
    public static Config load(Path file, boolean expandEnv, Map<String, String> env) throws ConfigException {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = LocalPaths.expand(file.toString(), cwd, env);
        if (!Files.exists(abs)) {
            throw new ConfigException("config file not found: " + abs);
        }
        if (Files.isDirectory(abs)) {
            throw new ConfigException("config file " + abs + ": is a directory");
        }
        String text;
        try (InputStream in = Files.newInputStream(abs)) {
            // read through a bound, not by size: a pipe (bash's -config <(...)) has none
            byte[] bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
            if (bytes.length > MAX_CONFIG_BYTES) {
                throw new ConfigException("config file " + abs + ": larger than " + (MAX_CONFIG_BYTES >> 20)
                        + " MiB, which no litestream.yml is");
            }
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException("config file " + abs + ": not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException("config file " + abs + ": cannot read: " + e, e);
        }
        return parse(text, abs, expandEnv, env, cwd);
    }

    /**
     * Parses and validates config text.
     *
     * @param file names the file in messages and becomes {@link Config#file()}; may be null
     * @param cwd  relative database and replica paths are resolved against it
     */
    public static Config parse(String yamlText, Path file, boolean expandEnv, Map<String, String> env, Path cwd)
            throws ConfigException {
        String text = expandEnv ? EnvExpander.expand(yamlText, env) : yamlText;
        YamlMap top = YamlMap.of(compose(text, file), "");
        List<String> warnings = top.unknownKeys(TOP_KEYS);
        ReplicaReader.GlobalKeys global =
                new ReplicaReader.GlobalKeys(top.string("access-key-id"), top.string("secret-access-key"));
        List<DbConfig> dbs = new ArrayList<>();
        Map<Path, String> seen = new HashMap<>();
        Map<String, String> locations = new HashMap<>();
        for (YamlMap m : top.listOfMaps("dbs")) {
            DbConfig db = readDb(m, global, cwd, env, locations);
            String other = seen.putIfAbsent(db.path(), m.key("path"));
            if (other != null) {
                throw ConfigException.at(
                        m.key("path"), "database " + db.path() + " is listed twice (also " + other + ")");
            }
            dbs.add(db);
        }
        return new Config(
                file == null ? null : file.toAbsolutePath().normalize(),
                dbs,
                addr(top),
                top.string("exec"),
                logging(top.map("logging")),
                top.positiveDuration("shutdown-timeout", Config.DEFAULT_SHUTDOWN_TIMEOUT),
                top.positiveDuration("health-max-sync-age", Config.DEFAULT_HEALTH_MAX_SYNC_AGE),
                lease(top.map("lease")),
                warnings);
    }

    private static Node compose(String text, Path file) throws ConfigException {
        String where = file == null ? "config" : "config file " + file;
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // YamlMap reports duplicates with their key path
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            if (mark == null) {
                throw new ConfigException(where + ": invalid YAML: " + problem, e);
            }
            throw new ConfigException(
                    where + ": invalid YAML at line " + (mark.getLine() + 1) + " column " + (mark.getColumn() + 1)
                            + ": " + problem,
                    e);
        } catch (YAMLException e) {
            throw new ConfigException(where + ": invalid YAML: " + e.getMessage(), e);
        }
    }

    /** {@code locations}: every replica location read so far, with where it was written, across databases. */
    private static DbConfig readDb(
            YamlMap m,
            ReplicaReader.GlobalKeys global,
            Path cwd,
            Map<String, String> env,
            Map<String, String> locations)
            throws ConfigException {
        m.allowOnly(DB_KEYS);
        Path path = localPath(m, "path", cwd, env);
        if (path == null) {
            throw ConfigException.at(m.key("path"), "required (the database file)");
        }
        Path metaPath = localPath(m, "meta-path", cwd, env);
        Duration monitor = m.offOrPositiveDuration("monitor-interval", DbConfig.DEFAULT_MONITOR_INTERVAL);
        Duration checkpoint = m.offOrPositiveDuration("checkpoint-interval", DbConfig.DEFAULT_CHECKPOINT_INTERVAL);
        int min = m.integer("min-checkpoint-page-count", DbConfig.DEFAULT_MIN_CHECKPOINT_PAGE_COUNT);
        if (min <= 0) {
            throw ConfigException.at(m.key("min-checkpoint-page-count"), "must be greater than 0 (got " + min + ")");
        }
        int max = m.integer("max-checkpoint-page-count", DbConfig.DEFAULT_MAX_CHECKPOINT_PAGE_COUNT);
        if (max < 0) {
            throw ConfigException.at(
                    m.key("max-checkpoint-page-count"), "must not be negative (got " + max + "; use 0 to turn it off)");
        }
        boolean restore = m.bool("restore-if-db-not-exists", false);
        List<ReplicaConfig> replicas = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (YamlMap rm : m.listOfMaps("replicas")) {
            ReplicaConfig r = ReplicaReader.read(rm, global, cwd, env);
            String other = names.putIfAbsent(r.name(), rm.path());
            if (other != null) {
                throw ConfigException.at(
                        rm.key("name"),
                        "duplicate replica name \"" + r.name() + "\" (also " + other
                                + "); give each replica of a database its own name");
            }
            String shared = locations.putIfAbsent(r.location(), rm.path());
            if (shared != null) {
                throw ConfigException.at(
                        rm.path(),
                        "replica location " + r.location() + " is also used by " + shared
                                + "; each replica needs a location of its own (two databases in one place would"
                                + " restore as each other)");
            }
            replicas.add(r);
        }
        return new DbConfig(
                path,
                metaPath != null ? metaPath : DbConfig.defaultMetaPath(path),
                monitor,
                checkpoint,
                min,
                max,
                restore,
                replicas);
    }

    private static Path localPath(YamlMap m, String key, Path cwd, Map<String, String> env) throws ConfigException {
        String s = m.string(key);
        if (s == null) {
            return null;
        }
        try {
            return LocalPaths.expand(s, cwd, env);
        } catch (InvalidPathException e) {
            throw ConfigException.at(m.key(key), "invalid path \"" + s + "\": " + e.getReason());
        }
    }

    /** {@code host:port} as Go's net.SplitHostPort reads it; the port is required. */
    private static String addr(YamlMap top) throws ConfigException {
        String addr = top.string("addr");
        if (addr == null) {
            return null;
        }
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            throw ConfigException.at(
                    "addr",
                    "must specify port for bind address (want host:port such as :9090 or 127.0.0.1:9090, got \"" + addr
                            + "\")");
        }
        String host = addr.substring(0, colon);
        String port = addr.substring(colon + 1);
        if (host.startsWith("[") != host.endsWith("]") || (!host.startsWith("[") && host.contains(":"))) {
            throw ConfigException.at("addr", "\"" + addr + "\": put an IPv6 address in brackets, as in [::1]:9090");
        }
        if (port.isEmpty()) {
            throw ConfigException.at("addr", "must specify port for bind address (got \"" + addr + "\")");
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            throw ConfigException.at("addr", "invalid port \"" + port + "\" (want a number from 0 to 65535)");
        }
        return addr;
    }

    private static Config.LeaseConfig lease(YamlMap m) throws ConfigException {
        m.allowOnly(List.of("enabled", "duration", "on-conflict"));
        Duration d = m.positiveDuration("duration", Config.LeaseConfig.DEFAULT_DURATION);
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw ConfigException.at(m.key("duration"), "must be at least 1s (got " + Durations.format(d) + ")");
        }
        String onConflict = m.string("on-conflict");
        onConflict = onConflict == null ? "wait" : onConflict.toLowerCase(Locale.ROOT);
        if (!onConflict.equals("wait") && !onConflict.equals("exit")) {
            throw ConfigException.at(
                    m.key("on-conflict"), "unknown value \"" + m.string("on-conflict") + "\" (want wait or exit)");
        }
        return new Config.LeaseConfig(m.bool("enabled", true), d, onConflict);
    }

    private static LoggingConfig logging(YamlMap m) throws ConfigException {
        m.allowOnly(LOGGING_KEYS);
        String level = m.string("level");
        level = level == null ? LoggingConfig.DEFAULT_LEVEL : level.toLowerCase(Locale.ROOT);
        level = switch (level) {
            case "debug", "info", "warn", "error" -> level;
            case "warning" -> "warn";
            default ->
                throw ConfigException.at(
                        m.key("level"),
                        "unknown level \"" + m.string("level") + "\" (want debug, info, warn or error)");
        };
        String type = m.string("type");
        type = type == null ? LoggingConfig.DEFAULT_TYPE : type.toLowerCase(Locale.ROOT);
        if (!type.equals("text") && !type.equals("json")) {
            throw ConfigException.at(m.key("type"), "unknown type \"" + m.string("type") + "\" (want text or json)");
        }
        return new LoggingConfig(level, type, m.bool("stderr", false));
    }
}
