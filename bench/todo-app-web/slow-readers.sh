#!/usr/bin/env bash
# The app's memory under clients that ask for the largest page and never read it (docs/todo-app.md, "Answers
# clients have not read are capped"): starts the built app jar (production flags, as bin/run and the Dockerfile),
# gives one visitor 1,000 todos of 1,000 CJK characters, then opens N connections that each ask three times for the
# page with a 4 KiB receive buffer and read nothing for 15 s. Prints the page size and the RSS before, at peak and
# after, and how many seconds /health was not UP.
# Usage: bench/todo-app-web/slow-readers.sh [N] [JAR] [extra JVM options]   (default 100, the built jar)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/bin/lib/java.sh"
n="${1:-100}"
jar="${2:-$root/todo-app/target/todo-app-0.1.0-SNAPSHOT.jar}"
extra="${3:-}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
# shellcheck disable=SC2086 # JVM options are words
APP_SECRET=$(head -c 48 /dev/urandom | base64) MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 \
  MALLOC_TRIM_THRESHOLD_=1048576 PORT=$port DATA_DIR=$data MICRONAUT_ENVIRONMENTS=prod \
  java $lite_app_opts $extra -jar "$jar" > "$data/app.log" 2>&1 &
pid=$!
for _ in $(seq 120); do
  curl -s -o /dev/null "http://127.0.0.1:$port/health" && break
  sleep 0.5
done
python3 "$root/bench/todo-app-web/slow-readers.py" "$port" "$n" "$pid"
