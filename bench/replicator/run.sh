#!/usr/bin/env bash
# Benchmarks our replicator against Litestream 0.3.13 (both as subprocesses, interleaved) and writes
# a Markdown report (default bench/replicator/results-{quick,full}.md).
# Usage: bench/replicator/run.sh [--quick] [--only start,throughput,lag,catchup,idle,s3ops,restore,correctness]
#                               [--replica s3|file] [--tls] [--out FILE] [--restore-mib 32,256] [--restore-reps N]
#   --quick: ~5 minutes, fewer and shorter runs; default (full): ~25 minutes.
#   --restore-mib, --restore-reps: sizes (MiB) and repetitions of the restore-speed runs (default 32 and
#   1 rep in --quick, 32,256 and 3 reps in a full run).
#   --replica: where the throughput and idle runs replicate (default s3: the in-process s3proxy);
#   lag and catch-up use file replicas (their watcher lists a folder), restore and s3ops S3.
#   REPLICATOR_JAVA_OPTS=...: JVM flags for our replicator (default: bin/replicator's).
#   --tls: every s3proxy speaks HTTPS (a self-signed certificate, skip-verify for both tools), as real S3 does.
#   BENCH_TP_SECONDS=N, BENCH_TP_REPS=N: length and repetitions of the throughput runs (default 4 s x 2
#   with --quick, 8 s x 3 otherwise), for noisy machines.
#   BENCH_LOG_DIR=DIR: keep the throughput runs' tool logs there (e.g. with LOG_LEVEL=debug).
# Loopback only: file replicas in a temp folder and an in-process s3proxy on 127.0.0.1.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. bin/lib/java.sh
litestream="$root/.tools/node_modules/@flydotio/litestream-linux-x64/litestream"
if [ ! -x "$litestream" ]; then
  echo "Litestream binary not found at $litestream; install it with: npm --prefix .tools install @flydotio/litestream-linux-x64" >&2
  exit 1
fi
if ! ls replicator/target/replicator-*-all.jar >/dev/null 2>&1; then
  ./mvnw -q -B -o -pl replicator -DskipTests package
fi
cp_file="$root/replicator/target/bench-classpath.txt"
./mvnw -q -B -o -pl replicator test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
cp="$root/replicator/target/test-classes:$root/replicator/target/classes:$(cat "$cp_file")"
exec java -Xmx8g -cp "$cp" \
  dev.litestack.replicator.bench.ReplicatorBench --litestream "$litestream" "$@"
