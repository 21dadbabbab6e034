# Sourced by .ci/run, bin/* and bench/*/run.sh (sh, bash): selects the JDK the project builds and runs
# on, Java 25 or newer, and exports it as JAVA_HOME with its bin/ first on PATH (Maven, the tests'
# child JVMs and the `java` of config/*.yml exec lines then all use it). In this order:
#   1. $JAVA_HOME, if it is a JDK/JRE of version 25 or newer;
#   2. the newest 25+ JDK under /usr/lib/jvm (e.g. Temurin's temurin-25-jdk-amd64);
#   3. otherwise it fails, saying what to install.
lite_java_min=25

# lite_java_version DIR: prints the feature version of the JDK in DIR (e.g. 25), or nothing.
lite_java_version() {
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1)
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

lite_java_select() {
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(lite_java_version "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$lite_java_min" ]; then
      return 0
    fi
  fi
  best= best_v=0
  for d in /usr/lib/jvm/*; do
    [ -d "$d" ] && [ ! -L "$d" ] || continue
    v=$(lite_java_version "$d")
    if [ -n "$v" ] && [ "$v" -ge "$lite_java_min" ] && [ "$v" -gt "$best_v" ]; then
      best=$d best_v=$v
    fi
  done
  if [ -z "$best" ]; then
    echo "Java $lite_java_min or newer is needed (JAVA_HOME=${JAVA_HOME:-unset} is not, and /usr/lib/jvm has none)." >&2
    echo "Install a JDK $lite_java_min, e.g. Temurin 25 (temurin-25-jdk from the Adoptium apt repository), or set JAVA_HOME to one." >&2
    return 1
  fi
  JAVA_HOME=$best
}

lite_java_select || exit 1
export JAVA_HOME
case ":$PATH:" in
  "$JAVA_HOME/bin:"*) ;;
  *) PATH=$JAVA_HOME/bin:$PATH ;;
esac
export PATH

# The JVM flags of bin/replicator and of the app under bin/run (docs/benchmarks.md, "JVM flags"):
# C1 only with one compiler thread and SerialGC for a fast start and little CPU; a heap that starts
# at 8 MiB and grows only with live data and gives memory back after a burst (heap free ratios, in
# one step at the full collection the replicator runs once it has gone quiet; glibc's free memory
# trimmed every 30 s), a
# 128 MiB ceiling (restore keeps at most -parallelism x 4 MiB of downloaded segments in memory,
# larger ones go to temp files); small thread stacks, metaspace and code-cache caps; no hsperfdata
# file; compact object headers (JEP 519, Java 25: 8-byte headers, a smaller heap); the monitor
# deflation thread wakes every 2 s instead of 4 times a second (a third of an idle replicator's CPU);
# the AOT cache's training data (JEP 515 method profiles, used to compile the training run's hot
# methods up front) is left unused, by the app too: with C1 only it buys nothing but that up-front
# compilation, which kept the one compiler thread busy through a whole restore (and delayed the
# app's first page). Classes still come from the cache. An OutOfMemoryError ends the process (a JVM
# that lost its event loops to one stayed up serving nothing; ended, the machine restarts).
# The Dockerfile sets the same ones.
lite_replicator_opts="-XX:+ExitOnOutOfMemoryError -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -Xms8m -Xmx128m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:-ShrinkHeapInSteps -XX:TrimNativeHeapInterval=30000 -XX:-UsePerfData -Xss256k -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=2000 -XX:-AOTReplayTraining"
lite_app_opts="-XX:+ExitOnOutOfMemoryError -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx192m -Xss512k -XX:TrimNativeHeapInterval=30000 -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining"

# lite_aot_opt OPTS JAR CACHE: prints " -XX:AOTCache=CACHE" if OPTS name no cache of their own and
# CACHE (made by bin/build) exists and is newer than JAR; a cache older than its jar is left unused
# (the JVM would only warn that it does not match and start without it).
lite_aot_opt() {
  case "$1" in *-XX:AOTCache*|*-XX:AOTMode*) return 0 ;; esac
  if [ -f "$3" ] && [ "$3" -nt "$2" ]; then
    printf ' -XX:AOTCache=%s' "$3"
  fi
}

# lite_sqlite_native JAR DIR: copies the native library of the sqlite-jdbc inside JAR, for this
# machine (glibc Linux, x86_64 or aarch64), to DIR/libsqlitejdbc.so. Without it sqlite-jdbc copies
# the library out of the jar into the temp folder on every start (about 50 ms of the app's start).
# Does nothing where JAR has no library for this machine; sqlite-jdbc then keeps its own way.
lite_sqlite_native() {
  [ "$(uname -s)" = Linux ] || return 0
  if ldd --version 2>&1 | grep -qi musl; then return 0; fi
  entry=org/sqlite/native/Linux/$(uname -m)/libsqlitejdbc.so
  tmp=$(mktemp -d)
  if (cd "$tmp" && jar xf "$1" "$entry") && [ -f "$tmp/$entry" ]; then
    mkdir -p "$2"
    mv "$tmp/$entry" "$2/libsqlitejdbc.so.tmp"
    touch "$2/libsqlitejdbc.so.tmp"   # jar xf keeps the entry's date (1980 in a reproducible jar)
    mv "$2/libsqlitejdbc.so.tmp" "$2/libsqlitejdbc.so"
  fi
  rm -rf "$tmp"
}

# lite_sqlite_opt OPTS JAR DIR: prints the flags that point sqlite-jdbc at DIR/libsqlitejdbc.so if
# OPTS do not name a library of their own and that copy (lite_sqlite_native) is newer than JAR. A
# copy that fails to load is not fatal: sqlite-jdbc falls back to the one in the jar.
lite_sqlite_opt() {
  case "$1" in *-Dorg.sqlite.lib.*) return 0 ;; esac
  if [ -f "$3/libsqlitejdbc.so" ] && [ "$3/libsqlitejdbc.so" -nt "$2" ]; then
    printf ' -Dorg.sqlite.lib.path=%s -Dorg.sqlite.lib.name=libsqlitejdbc.so' "$3"
  fi
}
