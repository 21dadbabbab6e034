package dev.litestack.replicator.sqlite;

import java.nio.file.Path;

/** The files SQLite keeps beside a database in WAL mode. */
public final class SqliteFiles {

    private SqliteFiles() {}

    /** The write-ahead log: {@code app.db} → {@code app.db-wal}. */
    public static Path wal(Path db) {
        return db.resolveSibling(db.getFileName() + "-wal");
    }

    /** The shared-memory index of the WAL: {@code app.db} → {@code app.db-shm}. */
    public static Path shm(Path db) {
        return db.resolveSibling(db.getFileName() + "-shm");
    }
}
