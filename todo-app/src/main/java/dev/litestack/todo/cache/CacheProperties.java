package dev.litestack.todo.cache;

import dev.litestack.todo.sqlite.ConfigCheck;
import dev.litestack.todo.sqlite.StoreProperties;
import io.micronaut.context.annotation.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;

/** {@code app.cache.*}: the cache file (cache.db), its caps and pruner. Defaults need no configuration. */
@ConfigurationProperties("app.cache")
public class CacheProperties extends StoreProperties {

    private static final String P = "app.cache";

    private Duration defaultTtl = Duration.ofDays(30);
    private long maxBytes = 128L * 1024 * 1024;
    private long maxEntries;
    private Duration pruneInterval = Duration.ofSeconds(30);
    private Duration touchInterval = Duration.ofSeconds(1);

    public CacheProperties() {
        super("cache.db", "OFF", 128L * 1024 * 1024);
        setReaders(4);
    }

    @Override
    protected String prefix() {
        return P;
    }

    public CacheSettings toCacheSettings(Path dataDir) {
        return new CacheSettings(toSettings(dataDir),
                ConfigCheck.positive(P + ".default-ttl", defaultTtl),
                ConfigCheck.range(P + ".max-bytes", maxBytes, 4096L, 1L << 40),
                ConfigCheck.range(P + ".max-entries", maxEntries, 0L, 1L << 40),
                ConfigCheck.positive(P + ".prune-interval", pruneInterval),
                ConfigCheck.positive(P + ".touch-interval", touchInterval));
    }

    public Duration getDefaultTtl() {
        return defaultTtl;
    }

    public void setDefaultTtl(Duration defaultTtl) {
        this.defaultTtl = defaultTtl;
    }

    public long getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public long getMaxEntries() {
        return maxEntries;
    }

    public void setMaxEntries(long maxEntries) {
        this.maxEntries = maxEntries;
    }

    public Duration getPruneInterval() {
        return pruneInterval;
    }

    public void setPruneInterval(Duration pruneInterval) {
        this.pruneInterval = pruneInterval;
    }

    public Duration getTouchInterval() {
        return touchInterval;
    }

    public void setTouchInterval(Duration touchInterval) {
        this.touchInterval = touchInterval;
    }
}
