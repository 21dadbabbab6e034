#!/usr/bin/env bash
# Benchmarks the todo-app SQLite foundations (jobs, cache, cable) and writes bench/todo-app/results.md.
# Usage: bench/todo-app/run.sh [runs]   (default 5; each figure is the median of the runs)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. bin/lib/java.sh
runs="${1:-5}"
cp_file="$root/todo-app/target/bench-classpath.txt"
./mvnw -q -B -f todo-app/pom.xml test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
cp="$root/todo-app/target/test-classes:$root/todo-app/target/classes:$(cat "$cp_file")"
LOG_LEVEL=warn java -Xmx1g -cp "$cp" dev.litestack.todo.bench.FoundationsBench \
  --runs "$runs" --out "$root/bench/todo-app/results.md"
