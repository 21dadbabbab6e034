# The todo app and its replicator in one image, for Fly.io with scale-to-zero: at boot the
# replicator restores any missing database from S3, then runs the app as its supervised child.
# Build: docker build -t todo-app .   (docs/deploy-fly.md). The container test builds this file
# too (system-tests ImageBootCycleTest, via bin/docker-image).
#
# The base images are the real Temurin images by default, as Fly's builder pulls them. To pin
# them, give the tags with their digest, e.g. --build-arg RUNTIME_IMAGE=eclipse-temurin:25-jre-noble@sha256:...
# (look the multi-arch digest up with `docker buildx imagetools inspect TAG`).
# Any image with a Java 25+ JDK (build) or JRE (runtime) at /opt/java/openjdk on PATH, sh, curl and
# useradd works: bin/docker-base-images makes such stand-ins from Debian and this machine's JDK 25.
ARG BUILD_IMAGE=eclipse-temurin:25-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre-noble

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV MAVEN_OPTS="-XX:-UsePerfData -XX:TieredStopAtLevel=1"
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY replicator/pom.xml replicator/pom.xml
COPY todo-app/pom.xml todo-app/pom.xml
COPY system-tests/pom.xml system-tests/pom.xml
# Dependency layer, rebuilt only when a pom changes: Maven itself (the wrapper), the plugins and
# libraries of both modules (all but the app's annotation processors, which the package step
# fetches), and s3proxy (the throwaway bucket of the training run below). Not go-offline: it also
# resolves optional dependencies, and prometheus-metrics-annotations 1.9.0 is not on Central.
ARG S3PROXY_VERSION=2.7.0
RUN ./mvnw -q -B -ntp -pl replicator,todo-app dependency:resolve dependency:resolve-plugins \
 && ./mvnw -q -B -ntp -N dependency:copy -Dartifact=org.gaul:s3proxy:${S3PROXY_VERSION}:jar:jar-with-dependencies \
      -DoutputDirectory=/opt/s3proxy \
 && mv /opt/s3proxy/s3proxy-*.jar /opt/s3proxy/s3proxy.jar
COPY replicator/src replicator/src
COPY todo-app/src todo-app/src
COPY bin/lib/java.sh bin/lib/java.sh
# Each jar's SQLite library is copied out once here (lite_sqlite_native), not into /tmp at every
# start; the *_JAVA_OPTS below point sqlite-jdbc at it.
RUN ./mvnw -q -B -ntp -pl replicator,todo-app -DskipTests package \
 && cp replicator/target/replicator-*-all.jar /src/replicator.jar \
 && cp "$(ls todo-app/target/todo-app-*.jar | grep -v original)" /src/todo-app.jar \
 && . bin/lib/java.sh \
 && lite_sqlite_native /src/replicator.jar /src/native/replicator \
 && lite_sqlite_native /src/todo-app.jar /src/native/todo-app

FROM ${RUNTIME_IMAGE} AS app
# NSS (libnss3): the replicator does TLS and S3 request signing through it, in native code, when it
# is there (docs/operations.md, "TLS and request signing: NSS"); without it, the JDK's own (much slower under C1) crypto.
RUN if ! ls /usr/lib/*/libsoftokn3.so /usr/lib64/libsoftokn3.so >/dev/null 2>&1; then \
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnss3 >/dev/null \
        && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb; } || echo "libnss3 not installed: the replicator uses the JDK's own crypto" >&2; \
    fi \
 && groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /app /data \
 && chown app:app /data
WORKDIR /app
COPY --from=build /src/replicator.jar /src/todo-app.jar /app/
COPY --from=build /src/native/ /app/native/
COPY config/litestream.yml /etc/litestream.yml
# JVM flags: docs/benchmarks.md, "JVM flags" (the same as bin/lib/java.sh), plus the AOT caches
# made below. The replicator's go in the entrypoint, the app's in the config's exec.
ENV DATA_DIR=/data \
    REPLICA_PREFIX=todo-app \
    LITESTREAM_CONFIG=/etc/litestream.yml \
    PORT=8080 \
    METRICS_ADDR=:9090 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=1048576 \
    APP_JAR=/app/todo-app.jar \
    APP_JAVA_OPTS="-XX:AOTCache=/app/todo-app.aot -Dorg.sqlite.lib.path=/app/native/todo-app -Dorg.sqlite.lib.name=libsqlitejdbc.so -XX:+ExitOnOutOfMemoryError -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx192m -Xss512k -XX:TrimNativeHeapInterval=30000 -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining" \
    REPLICATOR_JAVA_OPTS="-XX:AOTCache=/app/replicator.aot -Dorg.sqlite.lib.path=/app/native/replicator -Dorg.sqlite.lib.name=libsqlitejdbc.so -XX:+ExitOnOutOfMemoryError -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -Xms8m -Xmx128m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:-ShrinkHeapInSteps -XX:TrimNativeHeapInterval=30000 -XX:-UsePerfData -Xss256k -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=2000 -XX:-AOTReplayTraining"

# AOT caches (JEP 483/514/515), recorded from a real cold start (restore from a bucket over HTTPS,
# replicate, requests served) with the flags above: bin/train-aot. Only the caches leave this stage.
FROM app AS train
COPY --from=build /opt/s3proxy/s3proxy.jar /opt/s3proxy/s3proxy.jar
COPY bin/train-aot /usr/local/bin/train-aot
RUN AOT_TRAIN_TLS=1 train-aot

FROM app
COPY --from=train /app/replicator.aot /app/todo-app.aot /app/
USER app
EXPOSE 8080 9090
# sh only expands REPLICATOR_JAVA_OPTS and is replaced by the JVM (exec): signals reach the replicator.
ENTRYPOINT ["/bin/sh", "-c", "exec java $REPLICATOR_JAVA_OPTS -jar /app/replicator.jar \"$@\"", "replicator"]
CMD ["replicate"]
