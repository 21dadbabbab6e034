package dev.litestack.replicator.restore;

import dev.litestack.replicator.util.FileTrees;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The folder one restore works in, beside its output: {@code .<name>.restore-<random>/}, holding the
 * database being built and the downloaded segments too large to keep in memory. Its own name per
 * restore keeps two restores to the same output from writing one temp file; a lock on its {@code lock}
 * file, held while the restore runs, tells later restores it is in use. A restore removes the folders
 * of its output whose lock it can take (left by a restore that was killed, SIGKILL), removes its own
 * when it ends, whatever the outcome, and at a JVM exit it did not reach (SIGTERM).
 */
final class WorkFolder implements Closeable {

    private static final String LOCK = "lock";
    /** A staging folder younger than this may be a restore between making its folder and renaming it. */
    private static final Duration STARTING = Duration.ofMinutes(1);

    private static final String STAGING = ".restore-staging-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Path database;
    private final FileChannel lockChannel;
    private final Thread onExit;

    private WorkFolder(Path dir, Path database, FileChannel lockChannel) {
        this.dir = dir;
        this.database = database;
        this.lockChannel = lockChannel;
        this.onExit = new Thread(this::deleteQuietly, "restore-cleanup");
    }

    /**
     * Creates and locks a new work folder for a restore to {@code out}, after removing abandoned ones. The
     * folder is made and locked under another name, then renamed: a folder with the work name always has a
     * lock file, held while its restore lives.
     */
    static WorkFolder create(Path out) throws IOException {
        Path parent = out.getParent();
        removeAbandoned(parent, out);
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        String hex = HexFormat.of().formatHex(id);
        Path staging = parent.resolve(STAGING + out.getFileName() + "-" + hex);
        Path dir = parent.resolve(prefix(out) + hex);
        Files.createDirectory(staging);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(staging.resolve(LOCK), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            if (ch.tryLock() == null) {
                throw new IOException("cannot lock " + staging.resolve(LOCK));
            }
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            FileTrees.delete(staging);
            throw e;
        }
        WorkFolder w = new WorkFolder(dir, dir.resolve(out.getFileName() + ".tmp"), ch);
        Runtime.getRuntime().addShutdownHook(w.onExit);
        return w;
    }

    /** Where the database is built before it is renamed to the output. */
    Path database() {
        return database;
    }

    /** Where segments too large for memory go. */
    Path spill() {
        return dir.resolve("segments");
    }

    @Override
    public void close() throws IOException {
        try {
            FileTrees.delete(dir); // under the lock: no other restore takes this folder for abandoned meanwhile
        } finally {
            lockChannel.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException exiting) {
                // the hook runs or ran; the folder is gone either way
            }
        }
    }

    private void deleteQuietly() {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            // exiting: nothing to tell, the next restore to this output removes what is left
        }
    }

    static String prefix(Path out) {
        return "." + out.getFileName() + ".restore-";
    }

    /**
     * Removes the work folders of the output whose lock is free (their restore was killed), and staging
     * folders older than {@link #STARTING}. A folder whose lock this JVM holds (another restore in this
     * process) is in use. Opening and closing a lock file cannot drop a lock of SQLite's: it is not a
     * database file.
     */
    static void removeAbandoned(Path parent, Path out) throws IOException {
        if (!Files.isDirectory(parent)) {
            return;
        }
        String work = prefix(out);
        String staging = STAGING + out.getFileName() + "-";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, p -> {
            String n = p.getFileName().toString();
            return (n.startsWith(work) || n.startsWith(staging)) && Files.isDirectory(p);
        })) {
            for (Path d : entries) {
                if (d.getFileName().toString().startsWith(staging)) {
                    if (!young(d)) {
                        FileTrees.delete(d); // killed between making it and renaming it
                    }
                    continue;
                }
                try (FileChannel ch = FileChannel.open(d.resolve(LOCK), StandardOpenOption.WRITE)) {
                    if (ch.tryLock() != null) {
                        FileTrees.delete(d);
                    }
                } catch (OverlappingFileLockException inUseHere) {
                    // a restore of this process holds it
                } catch (NoSuchFileException noLock) {
                    FileTrees.delete(d); // not made by a restore of ours (each has its lock before the rename)
                }
            }
        }
    }

    private static boolean young(Path d) {
        try {
            Instant modified = Files.getLastModifiedTime(d).toInstant();
            return modified.isAfter(Instant.now().minus(STARTING));
        } catch (IOException gone) {
            return true;
        }
    }
}
