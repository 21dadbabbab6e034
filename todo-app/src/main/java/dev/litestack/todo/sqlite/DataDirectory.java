package dev.litestack.todo.sqlite;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one folder that holds the four SQLite files ({@code app.data-dir}, env {@code DATA_DIR}, default
 * {@code ./data}). With {@code app.data-dir-temporary=true} (the test environment) a fresh temporary folder
 * is created instead and deleted on shutdown.
 */
@Singleton
public final class DataDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);

    private final Path path;
    private final boolean temporary;

    public DataDirectory(
            @Value("${app.data-dir:./data}") String dataDir,
            @Value("${app.data-dir-temporary:false}") boolean temporary) {
        this.temporary = temporary;
        try {
            if (temporary) {
                this.path = Files.createTempDirectory("todo-app-data-");
            } else {
                if (dataDir.isBlank()) {
                    throw new ConfigurationException("app.data-dir must not be blank");
                }
                this.path = Path.of(dataDir.trim()).toAbsolutePath().normalize();
                Files.createDirectories(path);
            }
        } catch (IOException e) {
            throw new ConfigurationException(
                    "app.data-dir: cannot create data folder " + dataDir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(path)) {
            throw new ConfigurationException("app.data-dir: data folder " + path + " is not writable");
        }
        LOG.info("SQLite data folder: {}{}", path, temporary ? " (temporary)" : "");
    }

    public Path path() {
        return path;
    }

    @PreDestroy
    void deleteIfTemporary() {
        if (!temporary) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete temporary data folder {}: {}", path, e.getMessage());
        }
    }
}
