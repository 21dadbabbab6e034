#!/usr/bin/env bash
# Measures the lag of `restore -f`: a commit on the primary until a read-only reader of the follower's
# output sees it. Primaries: our `replicate` and Litestream 0.3.13, each with a file replica, at
# two settings (monitor-interval = sync-interval = follow-interval = 1s, the defaults, and 100ms). Loopback only.
# Usage: bench/follow/run.sh [--markers N] [--out FILE]   (default 100 markers, bench/follow/results.md)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
markers=100
out="$root/bench/follow/results.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --markers) markers="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown argument: $1 (want --markers N or --out FILE)" >&2; exit 2 ;;
  esac
done
litestream="$root/.tools/node_modules/@flydotio/litestream-linux-x64/litestream"
if [ ! -x "$litestream" ]; then
  echo "Litestream binary not found at $litestream; install it with: npm --prefix .tools install @flydotio/litestream-linux-x64" >&2
  exit 1
fi
if ! ls replicator/target/replicator-*-all.jar >/dev/null 2>&1; then
  ./mvnw -q -B -pl replicator -DskipTests package
fi
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # wait_for SECONDS TEST...
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    if [ $SECONDS -ge $end ]; then echo "timed out waiting for: $*" >&2; exit 1; fi
    sleep 0.1
  done
}

rows=()
for primary in ours litestream; do
  for interval in 1s 100ms; do
    d="$work/$primary-$interval"
    mkdir -p "$d"
    sqlite3 "$d/app.db" "PRAGMA journal_mode=WAL; CREATE TABLE marker(seq INTEGER PRIMARY KEY, body TEXT);" >/dev/null
    cat > "$d/litestream.yml" <<YML
dbs:
  - path: $d/app.db
    monitor-interval: $interval
    replicas:
      - type: file
        path: $d/replica
        sync-interval: $interval
YML
    if [ "$primary" = ours ]; then
      bin/replicator replicate -config "$d/litestream.yml" >"$d/primary.log" 2>&1 &
    else
      "$litestream" replicate -config "$d/litestream.yml" >"$d/primary.log" 2>&1 &
    fi
    pids+=($!); primary_pid=$!
    wait_for 60 test -d "$d/replica/generations"
    bin/replicator restore -f -follow-interval "$interval" -o "$d/out/app.db" "file://$d/replica" 2>"$d/follow.log" &
    pids+=($!); follow_pid=$!
    wait_for 60 test -f "$d/out/app.db"
    echo "measuring: primary=$primary interval=$interval markers=$markers" >&2
    result="$(python3 bench/follow/lag.py "$d/app.db" "$d/out/app.db" "$markers")"
    kill -TERM "$follow_pid"; wait "$follow_pid" || { echo "restore -f exited non-zero:" >&2; cat "$d/follow.log" >&2; exit 1; }
    kill -TERM "$primary_pid"; wait "$primary_pid" || true
    read -r p50 p90 max <<<"$result"
    rows+=("| $primary | $interval | $interval | $markers | $p50 | $p90 | $max |")
  done
done

{
  echo "# restore -f lag ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
  echo
  echo "Commit on the primary until a read-only reader of the follower's output sees it (ms)."
  echo
  echo "| primary | sync-interval | -follow-interval | markers | p50 | p90 | max |"
  echo "|---|---|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} > "$out"
cat "$out"
