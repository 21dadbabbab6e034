package dev.litestack.replicator.replica.s3;

/** The replica contract again, with the objects under the key prefix {@code backups/app.db}. */
class S3ReplicaClientPrefixedTest extends S3ReplicaClientTest {

    @Override
    protected String prefix() {
        return "backups/app.db";
    }
}
