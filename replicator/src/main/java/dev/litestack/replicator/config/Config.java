package dev.litestack.replicator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated {@code litestream.yml}; immutable. Built by {@link ConfigLoader} or, for databases
 * given on the command line, by {@link #of(List)}.
 *
 * @param file             the file it was read from (absolute), or null when built from CLI arguments
 * @param dbs              the databases, possibly empty
 * @param addr             Prometheus listener {@code host:port} (empty host = all interfaces), or null for off
 * @param exec             the child command line, or null
 * @param logging          the logging section
 * @param shutdownTimeout  {@code shutdown-timeout}: bound on the final sync at shutdown (our extension)
 * @param healthMaxSyncAge {@code health-max-sync-age}: a replica whose last sync is older is unhealthy (our extension)
 * @param lease            {@code lease}: the single-writer lease on each replica (our extension)
 * @param warnings         what was ignored while reading (unknown top-level keys), one message each
 */
public record Config(
        Path file,
        List<DbConfig> dbs,
        String addr,
        String exec,
        LoggingConfig logging,
        Duration shutdownTimeout,
        Duration healthMaxSyncAge,
        LeaseConfig lease,
        List<String> warnings) {

    /**
     * The {@code lease} block.
     *
     * @param enabled    take a lease on each replica before writing to it
     * @param duration   how long a lease lasts without renewal (renewed every third of it)
     * @param onConflict {@code wait} for a lease another replicator holds, or {@code exit} non-zero
     */
    public record LeaseConfig(boolean enabled, Duration duration, String onConflict) {
        public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
        public static final LeaseConfig DEFAULT = new LeaseConfig(true, DEFAULT_DURATION, "wait");
    }

    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_HEALTH_MAX_SYNC_AGE = Duration.ofMinutes(1);

    public Config {
        dbs = List.copyOf(dbs);
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(healthMaxSyncAge, "healthMaxSyncAge");
        Objects.requireNonNull(lease, "lease");
    }

    /** A configuration without a file: the given databases and every other setting at its default. */
    public static Config of(List<DbConfig> dbs) {
        return new Config(
                null,
                dbs,
                null,
                null,
                LoggingConfig.defaults(),
                DEFAULT_SHUTDOWN_TIMEOUT,
                DEFAULT_HEALTH_MAX_SYNC_AGE,
                LeaseConfig.DEFAULT,
                List.of());
    }

    /** The database whose path equals {@code path} once both are absolute and normalized. */
    public Optional<DbConfig> db(Path path) {
        Path want = path.toAbsolutePath().normalize();
        return dbs.stream().filter(db -> db.path().equals(want)).findFirst();
    }
}
