package dev.litestack.replicator.sqlite;

import java.nio.file.Path;

/** The files SQLite keeps beside a database. */
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

    /** The rollback journal of a database not in WAL mode: {@code app.db} → {@code app.db-journal}. */
    public static Path journal(Path db) {
        return db.resolveSibling(db.getFileName() + "-journal");
    }
}
