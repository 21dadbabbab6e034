package dev.litestack.replicator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One entry of {@code dbs}.
 *
 * @param path                   the database file, absolute and normalized
 * @param metaPath               local shadow directory, by default {@code <dir>/.<file>-litestream}
 * @param monitorInterval        how often the WAL is copied to the shadow WAL; ZERO = no background sync
 * @param checkpointInterval     time-based PASSIVE checkpoint; ZERO = off
 * @param minCheckpointPageCount PASSIVE checkpoint once the shadow WAL holds this many pages; always > 0
 * @param maxCheckpointPageCount RESTART checkpoint at this many pages; 0 = off
 * @param restoreIfDbNotExists   restore from a replica before replicating if the file is missing (our extension)
 * @param replicas               where the database is replicated to; names are unique
 */
public record DbConfig(
        Path path,
        Path metaPath,
        Duration monitorInterval,
        Duration checkpointInterval,
        int minCheckpointPageCount,
        int maxCheckpointPageCount,
        boolean restoreIfDbNotExists,
        List<ReplicaConfig> replicas) {

    public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_MIN_CHECKPOINT_PAGE_COUNT = 1000;
    public static final int DEFAULT_MAX_CHECKPOINT_PAGE_COUNT = 10_000;
    /** The suffix of the default meta directory name. */
    static final String META_DIR_SUFFIX = "-litestream";

    public DbConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(metaPath, "metaPath");
        Objects.requireNonNull(monitorInterval, "monitorInterval");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        replicas = List.copyOf(replicas);
    }

    /** A database with every setting at its default; {@code path} is made absolute and normalized. */
    public static DbConfig withDefaults(Path path, List<ReplicaConfig> replicas) {
        Path abs = path.toAbsolutePath().normalize();
        return new DbConfig(
                abs,
                defaultMetaPath(abs),
                DEFAULT_MONITOR_INTERVAL,
                DEFAULT_CHECKPOINT_INTERVAL,
                DEFAULT_MIN_CHECKPOINT_PAGE_COUNT,
                DEFAULT_MAX_CHECKPOINT_PAGE_COUNT,
                false,
                replicas);
    }

    /** Litestream's default meta directory: {@code /dir/app.db} → {@code /dir/.app.db-litestream}. */
    public static Path defaultMetaPath(Path dbPath) {
        Path abs = dbPath.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + META_DIR_SUFFIX);
    }

    /** The replica with this name, or null. */
    public ReplicaConfig replica(String name) {
        return replicas.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }
}
