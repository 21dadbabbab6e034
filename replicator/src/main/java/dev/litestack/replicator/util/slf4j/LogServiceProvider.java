package dev.litestack.replicator.util.slf4j;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Sends what libraries log through SLF4J (the AWS SDK, and s3proxy in tests) to the replicator's
 * own {@link dev.litestack.replicator.util.Log}, so a process writes one format (logfmt or JSON)
 * at one level. Found by SLF4J through {@code META-INF/services}.
 */
public final class LogServiceProvider implements SLF4JServiceProvider {

    private final ILoggerFactory loggers = LogAdapter::new;
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {}
}
