package dev.litestack.replicator.db;

/**
 * Why a checkpoint runs, named as Litestream names its checkpoint modes (the {@code mode} label of
 * {@code litestream_checkpoint_*}). The checkpoint itself is always SQLite's PASSIVE one, run under
 * the write lock so that it completes; the WAL restart follows at the next write.
 */
public enum CheckpointMode {
    /** {@code min-checkpoint-page-count} reached, or {@code checkpoint-interval} passed; also before a snapshot. */
    PASSIVE,
    /** {@code max-checkpoint-page-count} reached. */
    RESTART,
    /** The WAL has grown past Litestream's fixed TRUNCATE threshold. */
    TRUNCATE
}
