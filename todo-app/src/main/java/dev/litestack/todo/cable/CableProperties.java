package dev.litestack.todo.cable;

import dev.litestack.todo.sqlite.ConfigCheck;
import dev.litestack.todo.sqlite.StoreProperties;
import io.micronaut.context.annotation.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;

/** {@code app.cable.*}: the pub/sub file (cable.db), polling and retention. Defaults need no configuration. */
@ConfigurationProperties("app.cable")
public class CableProperties extends StoreProperties {

    private static final String P = "app.cable";

    private Duration pollInterval = Duration.ofMillis(20);
    private int batchSize = 500;
    private Duration retention = Duration.ofMinutes(5);
    private Duration trimInterval = Duration.ofSeconds(30);

    public CableProperties() {
        super("cable.db", "OFF", 16L * 1024 * 1024);
        setWalAutocheckpoint(10_000);
    }

    @Override
    protected String prefix() {
        return P;
    }

    public CableSettings toCableSettings(Path dataDir) {
        return new CableSettings(toSettings(dataDir),
                ConfigCheck.atLeast(P + ".poll-interval", pollInterval, Duration.ofMillis(1)),
                ConfigCheck.range(P + ".batch-size", batchSize, 1, 100_000),
                ConfigCheck.atLeast(P + ".retention", retention, Duration.ofSeconds(1)),
                ConfigCheck.positive(P + ".trim-interval", trimInterval));
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public Duration getRetention() {
        return retention;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    public Duration getTrimInterval() {
        return trimInterval;
    }

    public void setTrimInterval(Duration trimInterval) {
        this.trimInterval = trimInterval;
    }
}
