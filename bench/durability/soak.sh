#!/usr/bin/env bash
# Durability soak: runs every case of the torture suite (DurabilityTortureTest: short-lived writer
# processes, writer sessions, SIGKILL of the replicator, TRUNCATE while it is down, VACUUM, an
# -exec child with its own exit code, an S3 outage) with new seeds until MINUTES have passed, and
# writes one line per run plus a summary to bench/durability/results.md. Any lost or extra row, a
# damaged source or a restore that fails stops the soak with the failing seed.
#
#   bench/durability/soak.sh [MINUTES]      (default 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bin/lib/java.sh
minutes=${1:-30}
ls_bin=.tools/node_modules/@flydotio/litestream-linux-x64/litestream
[ -x "$ls_bin" ] || npm install --silent --no-audit --no-fund --prefix .tools @flydotio/litestream-linux-x64@1.0.1 >/dev/null
command -v sqlite3 >/dev/null || { echo "the soak needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }

runs=bench/durability/runs.tsv
: > "$runs"
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
status=passed
./mvnw -q -B -ntp -pl replicator verify -Dtest=DurabilityTortureTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtorture.minutes="$minutes" -Dtorture.report="$PWD/$runs" || status=FAILED

{
  echo "# Durability soak"
  echo
  echo "Started $start, $minutes minutes requested, on $(nproc) cores; result: **$status**."
  echo "Every run ends with a clean stop, then checks the source (integrity_check, every committed row) and"
  echo "restores with ours and with Litestream 0.3.13: both must hold exactly the committed rows."
  echo
  echo "| case | runs | rows committed | rows restored (ours) | rows restored (Litestream) | rows lost | generations |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ n[$2]++; c[$2]+=$4; o[$2]+=$5; t[$2]+=$6; g[$2]+=$7;
                l[$2]+=($4>$5?$4-$5:0)+($4>$6?$4-$6:0) }
       END { for (k in n) { printf "| %s | %d | %d | %d | %d | %d | %d |\n", k, n[k], c[k], o[k], t[k], l[k], g[k];
                            N+=n[k]; C+=c[k]; O+=o[k]; T+=t[k]; L+=l[k]; G+=g[k] }
             printf "| **all** | %d | %d | %d | %d | %d | %d |\n", N, C, O, T, L, G }' "$runs" | sort
  echo
  echo "Raw runs (time, case, seed, committed, ours, Litestream's, generations): \`bench/durability/runs.tsv\`."
} > bench/durability/results.md
cat bench/durability/results.md
[ "$status" = passed ]
