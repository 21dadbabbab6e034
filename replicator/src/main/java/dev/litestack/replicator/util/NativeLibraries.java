package dev.litestack.replicator.util;

import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;
import org.sqlite.SQLiteJDBCLoader;

/**
 * Loads the native libraries of sqlite-jdbc and lz4-java on a background thread. Each unpacks its
 * library into the temp folder and loads it on first use (sqlite-jdbc also runs {@code uname -o}
 * and sweeps the temp folder for stale copies): about 0.1 s of a cold restore, which this moves off
 * the critical path, overlapping the command-line parsing and the first S3 requests.
 */
public final class NativeLibraries {

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
            SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            // the first real use fails with its own message
        }
    }
}
