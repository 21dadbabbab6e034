#!/usr/bin/env bash
# Cold start of the container (what a request after scale-to-zero waits for): start to the first
# page served, on an empty disk, with both databases restored from a local S3 server (s3proxy).
# Usage:
#   bench/boot/run.sh [RUNS=5] [TODOS=500]                 the two jars on this host, without and with
#                                                          the AOT caches of bin/build -> bench/boot/results.md
#   bench/boot/run.sh image [RUNS=5] [TODOS=500] [IMAGE...] `docker run` of each image, runs taken
#                                                          round-robin -> bench/boot/results-image.md
#     Without IMAGE it builds the Dockerfile (bin/docker-image lite-stack-todo:bench) and measures that.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bin/lib/java.sh
mode=jars
out=bench/boot/results.md
if [ "${1:-}" = image ]; then
  mode=image
  out=bench/boot/results-image.md
  shift
fi
runs=${1:-5}
todos=${2:-500}
shift $(( $# < 2 ? $# : 2 ))
images=("$@")
./mvnw -q -B -ntp -DskipTests install
[ "$mode" = image ] || AOT_ONLY=1 bin/build   # the AOT caches for the jars just built
if [ "$mode" = image ] && [ ${#images[@]} = 0 ]; then
  bin/docker-engine
  bin/docker-image lite-stack-todo:bench >/dev/null
  images=(lite-stack-todo:bench)
fi
cp=$(./mvnw -q -B -o -pl system-tests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
# the jars run with the JVM flags of bin/lib/java.sh (and its malloc setting), as bin/run and the image do
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} java -Dreplicator.jar=replicator/target/replicator-0.1.0-SNAPSHOT-all.jar \
     -Dapp.jar=todo-app/target/todo-app-0.1.0-SNAPSHOT.jar \
     -Dreplicator.opts="$lite_replicator_opts" -Dapp.opts="$lite_app_opts$(lite_sqlite_opt "" "$PWD/todo-app/target/todo-app-0.1.0-SNAPSHOT.jar" "$PWD/todo-app/target/native")" \
     -cp "system-tests/target/test-classes:$cp" dev.litestack.system.ColdStartBench "$mode" "$runs" "$todos" "$out" \
     "${images[@]}"
