package dev.litestack.replicator.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The files SQLite keeps beside a database. SQLite's unix VFS resolves symbolic links before it
 * names them: a database reached through {@code /data/app.db -> /volume/app.db} keeps its WAL in
 * {@code /volume/app.db-wal}. The siblings here follow the same rule ({@link #resolve}).
 */
public final class SqliteFiles {

    /** Links followed before giving up, as the kernel's ELOOP limit. */
    private static final int MAX_LINKS = 40;

    private SqliteFiles() {}

    /** The write-ahead log: {@code app.db} → {@code app.db-wal}, beside the file the link leads to. */
    public static Path wal(Path db) {
        return beside(db, "-wal");
    }

    /** The shared-memory index of the WAL: {@code app.db} → {@code app.db-shm}. */
    public static Path shm(Path db) {
        return beside(db, "-shm");
    }

    /** The rollback journal of a database not in WAL mode: {@code app.db} → {@code app.db-journal}. */
    public static Path journal(Path db) {
        return beside(db, "-journal");
    }

    /**
     * Whether {@code db} holds a database: its file is not empty, or its WAL is not. SQLite creates an
     * empty file when it opens a path that does not exist (the {@code sqlite3} shell, a connection that
     * never wrote), and an empty file holds no data: a restore may take its place.
     */
    public static boolean holdsDatabase(Path db) throws IOException {
        Path real = resolve(db);
        try {
            if (Files.size(real) > 0) {
                return true;
            }
            return Files.size(wal(real)) > 0;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** The file named {@code <database file><suffix>} beside the file {@code db} leads to. */
    private static Path beside(Path db, String suffix) {
        Path real = resolve(db);
        return real.resolveSibling(real.getFileName() + suffix);
    }

    /**
     * The file SQLite opens for {@code db}: absolute, with every symbolic link resolved, also for a
     * database that does not exist yet (a dangling link resolves to the file it names, which SQLite
     * would create). A path without links comes back absolute and normalized, and so does one whose
     * links cannot be read or loop: opening it then fails with the file system's own error.
     */
    public static Path resolve(Path db) {
        Path p = db.toAbsolutePath().normalize();
        for (int links = 0; links < MAX_LINKS; links++) {
            try {
                return p.toRealPath();
            } catch (IOException notThere) {
                // the file (or a folder above it) does not exist yet: resolve what does
            }
            Path parent = p.getParent();
            if (parent == null || p.getFileName() == null) {
                return p;
            }
            Path dir = Files.isDirectory(parent) ? realOrSelf(parent) : resolve(parent);
            Path candidate = dir.resolve(p.getFileName());
            if (!Files.isSymbolicLink(candidate)) {
                return candidate;
            }
            try {
                p = dir.resolve(Files.readSymbolicLink(candidate)).normalize();
            } catch (IOException | UnsupportedOperationException e) {
                return candidate;
            }
        }
        return p;
    }

    private static Path realOrSelf(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }
}
