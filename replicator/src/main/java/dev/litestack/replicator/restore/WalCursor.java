package dev.litestack.replicator.restore;

import dev.litestack.replicator.Pos;

/**
 * Where an applied WAL ends: the position of the next segment, and (past offset 0) the index's
 * 32-byte WAL header and the checksum chain at the last commit, which the next frames must continue.
 * {@code header} is null at offset 0.
 */
public record WalCursor(Pos pos, byte[] header, int checksum1, int checksum2) {}
