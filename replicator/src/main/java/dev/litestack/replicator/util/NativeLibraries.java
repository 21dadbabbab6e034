package dev.litestack.replicator.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Optional;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;
import org.sqlite.SQLiteJDBCLoader;

/**
 * Loads the native libraries of sqlite-jdbc and lz4-java on a background thread, overlapping the
 * command-line parsing and the first S3 requests.
 *
 * <p>By default sqlite-jdbc works out the platform on every start (it runs {@code uname}), copies its
 * library out of the jar into the temp folder under a fresh name and loads that copy. Here it is
 * copied once into the user's cache folder ({@code $XDG_CACHE_HOME}, else {@code ~/.cache}), keyed by
 * the sqlite-jdbc version and the platform, and sqlite-jdbc is pointed at that copy through its
 * {@code org.sqlite.lib.path} property. Where that cannot be done (another platform, a folder that
 * cannot be written, the property set by the user) sqlite-jdbc keeps its own way; it also falls back
 * to it by itself if the copy fails to load.
 */
public final class NativeLibraries {

    /** sqlite-jdbc's own property naming the folder of its library. */
    static final String SQLITE_LIB_PATH = "org.sqlite.lib.path";

    private static final String SQLITE_LIB = "libsqlitejdbc.so";

    private NativeLibraries() {}

    /** Starts loading both libraries; a failure is left for the first real use to report. */
    public static void preloadInBackground() {
        Thread t = new Thread(NativeLibraries::preload, "native-preload");
        t.setDaemon(true);
        t.start();
    }

    private static void preload() {
        try {
            LZ4Factory.fastestInstance();
            XXHashFactory.fastestInstance();
        } catch (RuntimeException | LinkageError e) {
            // the first real use fails with its own message
        }
        try {
            if (System.getProperty(SQLITE_LIB_PATH) == null && System.getProperty("org.sqlite.lib.name") == null) {
                cacheRoot()
                        .flatMap(NativeLibraries::cachedSqliteLibrary)
                        .ifPresent(dir -> System.setProperty(SQLITE_LIB_PATH, dir.toString()));
            }
            SQLiteJDBCLoader.initialize();
            // One in-memory connection: JDBC's driver registry and sqlite-jdbc's connection set-up
            // run here, not on the first real open (a restore's integrity check, replicate's first
            // database).
            DriverManager.getConnection("jdbc:sqlite::memory:").close();
        } catch (Exception | LinkageError e) {
            // the first real use fails with its own message
        }
    }

    /** {@code $XDG_CACHE_HOME/litestack-replicator}, else {@code ~/.cache/litestack-replicator}. */
    static Optional<Path> cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base;
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            base = Path.of(xdg);
        } else {
            String home = System.getProperty("user.home");
            if (home == null || home.isEmpty() || home.equals("?")) {
                return Optional.empty();
            }
            base = Path.of(home, ".cache");
        }
        return Optional.of(base.resolve("litestack-replicator"));
    }

    /**
     * The folder under {@code root} holding this sqlite-jdbc version's library for this platform,
     * copied out of the jar if it is not there yet; empty where the platform is not one whose folder
     * in the jar is known without asking {@code uname} (glibc Linux on x86_64 or aarch64), or where
     * the copy cannot be made.
     */
    static Optional<Path> cachedSqliteLibrary(Path root) {
        Optional<String> platform = platformFolder();
        String version = SQLiteJDBCLoader.getVersion();
        if (platform.isEmpty() || version.isEmpty() || version.equals("unknown")) {
            return Optional.empty();
        }
        String resource = "/org/sqlite/native/" + platform.get() + "/" + SQLITE_LIB;
        Path dir = root.resolve("sqlite-jdbc-" + version).resolve(platform.get().replace('/', '-'));
        Path lib = dir.resolve(SQLITE_LIB);
        try {
            if (!Files.isRegularFile(lib)) {
                try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        return Optional.empty();
                    }
                    AtomicFiles.writeShared(lib, in);
                }
            }
            return Optional.of(dir);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** sqlite-jdbc's folder for this platform ({@code Linux/x86_64}), if it can be told without uname. */
    static Optional<String> platformFolder() {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            return Optional.empty();
        }
        String arch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch64";
            default -> null;
        };
        // musl systems get sqlite-jdbc's Linux-Musl build; leave them to sqlite-jdbc's own detection
        if (arch == null || Files.exists(Path.of("/lib/ld-musl-" + arch + ".so.1"))) {
            return Optional.empty();
        }
        return Optional.of("Linux/" + arch);
    }
}
