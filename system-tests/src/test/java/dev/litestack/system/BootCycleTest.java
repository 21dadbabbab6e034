package dev.litestack.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;

/**
 * The boot cycle without Docker: the two packaged jars on this machine, run as the image runs them
 * (its config/litestream.yml, a new empty data folder for every boot).
 */
@Tag("integration")
class BootCycleTest extends BootCycle {

    private static final Path APP_JAR = Path.of(System.getProperty("app.jar"));
    private final AtomicInteger machines = new AtomicInteger();

    @Override
    Container boot(Map<String, String> env) throws Exception {
        assertTrue(Files.isRegularFile(APP_JAR), "build the jars first (mvnw package): " + APP_JAR);
        Map<String, String> machine = new HashMap<>(env);
        machine.put(
                "DATA_DIR", dir.resolve("machine-" + machines.incrementAndGet()).toString());
        return JarContainer.boot(REPLICATOR_JAR, APP_JAR, REPO.resolve("config/litestream.yml"), machine);
    }
}
