package dev.litestack.replicator.sqlite;

/** A WAL checksum pair: the running sums SQLite stores in the WAL header and in every frame header. */
public record Checksum(int s0, int s1) {}
