#!/usr/bin/env bash
# Cold start of the container (what a request after scale-to-zero waits for): process start to
# the first page served, with the databases restored from a local S3 server (s3proxy), with and
# without class-data sharing archives. Writes bench/boot/results.md.
# Usage: bench/boot/run.sh [RUNS=5] [TODOS=500]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
todos=${2:-500}
./mvnw -q -B -ntp -DskipTests install
cp=$(./mvnw -q -B -o -pl system-tests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
java -Dreplicator.jar=replicator/target/replicator-0.1.0-SNAPSHOT-all.jar \
     -Dapp.jar=todo-app/target/todo-app-0.1.0-SNAPSHOT.jar \
     -cp "system-tests/target/test-classes:$cp" dev.litestack.system.ColdStartBench "$runs" "$todos" bench/boot/results.md
