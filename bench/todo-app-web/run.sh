#!/usr/bin/env bash
# Benchmarks the running todo app over HTTP and websockets (loopback only) and writes bench/todo-app-web/results.md:
# 100 users with two live tabs each; create-todo throughput and latency; tab-to-tab latency through jobs and cable.
# Usage: bench/todo-app-web/run.sh [seconds]   (default 15 s of measured load after a 5 s warm-up)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. bin/lib/java.sh
seconds="${1:-15}"
cp_file="$root/todo-app/target/bench-classpath.txt"
./mvnw -q -B -f todo-app/pom.xml -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
cp="$root/todo-app/target/test-classes:$root/todo-app/target/classes:$(cat "$cp_file")"
java -Xmx512m -cp "$cp" dev.litestack.todo.bench.WebBench \
  --jar "$root/todo-app/target/todo-app-0.1.0-SNAPSHOT.jar" --users 100 --concurrency 32 \
  --seconds "$seconds" --warmup 5 --out "$root/bench/todo-app-web/results.md"
