package dev.litestack.replicator.restore;

/** No generation on any replica matches the request ("no matching backups found"). */
public final class NoBackupsException extends RestoreException {
    NoBackupsException() {
        super("no matching backups found");
    }
}
