package dev.litestack.replicator.testing;

import dev.litestack.replicator.db.CheckpointMode;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.util.Log;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file replica written by the real engine (Database + Replica): rows are inserted one per
 * transaction and shipped one segment per row, and a checkpoint after each batch starts the
 * next WAL index. Records which rows are committed at the end of each index.
 */
public final class EngineReplica {

    /** The generation written and, per WAL index, the row count committed once that index is applied. */
    public record Built(String generation, Map<Long, Integer> rowsThroughIndex, List<WalSegmentInfo> segments) {
        public long lastIndex() {
            return rowsThroughIndex.keySet().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElseThrow();
        }

        public int rows() {
            return rowsThroughIndex.get(lastIndex());
        }
    }

    private EngineReplica() {}

    /** Writes {@code batches} batches of {@code rowsPerBatch} rows, with a checkpoint between batches. */
    public static Built build(Path db, Path replicaDir, int batches, int rowsPerBatch) throws Exception {
        Log log = new Log(Log.Level.WARN, false, System.out);
        FileReplicaClient client = new FileReplicaClient(replicaDir);
        Map<Long, Integer> through = new LinkedHashMap<>();
        String gen;
        try (AppDb app = new AppDb(db);
                Database d = new Database(Database.Options.defaults(db), Clock.systemUTC(), log)) {
            Replica replica = new Replica(d, client, Replica.Options.defaults("file"), Clock.systemUTC(), log);
            d.sync();
            replica.sync();
            int row = 0;
            for (int b = 0; b < batches; b++) {
                if (b > 0) {
                    d.checkpoint(CheckpointMode.PASSIVE);
                }
                for (int i = 0; i < rowsPerBatch; i++, row++) {
                    app.insert(row, row + 1);
                    d.sync();
                    replica.sync();
                }
                through.put(d.position().index(), row);
            }
            gen = d.position().generation();
        }
        return new Built(gen, through, client.walSegments(gen));
    }
}
