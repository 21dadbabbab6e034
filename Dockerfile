# The todo app and its replicator in one image, for Fly.io with scale-to-zero: at boot the
# replicator restores any missing database from S3, then runs the app as its supervised child.
# Build: docker build -t todo-app .   (see docs/deploy-fly.md)
FROM eclipse-temurin:17-jdk-jammy AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY replicator/pom.xml replicator/pom.xml
COPY todo-app/pom.xml todo-app/pom.xml
COPY replicator/src replicator/src
COPY todo-app/src todo-app/src
RUN ./mvnw -q -B -ntp -DskipTests package \
 && cp replicator/target/replicator-*-all.jar /src/replicator.jar \
 && cp "$(ls todo-app/target/todo-app-*.jar | grep -v original)" /src/todo-app.jar

FROM eclipse-temurin:17-jre-jammy AS runtime
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /app /data \
 && chown app:app /data
WORKDIR /app
COPY --from=build /src/replicator.jar /app/replicator.jar
COPY --from=build /src/todo-app.jar /app/todo-app.jar
COPY config/litestream.yml /etc/litestream.yml
# Class-data sharing archives, made from real runs at build time, cut start-up time on every cold start.
# The replicator's run is a restore from an S3 replica on a closed port: it loads the config, the
# AWS SDK and the restore path (then fails, as intended), which is what a cold boot runs first.
RUN printf 'dbs:\n  - path: /tmp/cds/probe.db\n    replicas:\n      - type: s3\n        bucket: probe\n        path: probe.db\n        endpoint: http://127.0.0.1:9\n        region: us-east-1\n        access-key-id: probe\n        secret-access-key: probe\n' > /tmp/cds-probe.yml \
 && (java -XX:ArchiveClassesAtExit=/app/replicator.jsa -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
      -jar /app/replicator.jar restore -config /tmp/cds-probe.yml /tmp/cds/probe.db || test -f /app/replicator.jsa) \
 && rm -f /tmp/cds-probe.yml \
 && DATA_DIR=/tmp/cds-data timeout -s TERM 20 java -XX:ArchiveClassesAtExit=/app/todo-app.jsa \
      -XX:+UseSerialGC -Xmx192m -jar /app/todo-app.jar || test -f /app/todo-app.jsa \
 && rm -rf /tmp/cds-data
USER app
ENV DATA_DIR=/data \
    APP_JAR=/app/todo-app.jar \
    APP_JAVA_OPTS="-XX:SharedArchiveFile=/app/todo-app.jsa -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx192m -Xss512k" \
    REPLICA_PREFIX=todo-app \
    LITESTREAM_CONFIG=/etc/litestream.yml \
    PORT=8080
EXPOSE 8080 9090
# Same JVM flags as bin/replicator (docs/benchmarks.md, "JVM flags"), plus the CDS archive.
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/replicator.jsa", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC", "-Xms8m", "-Xmx128m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:-UsePerfData", "-Xss256k", "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=16m", "-jar", "/app/replicator.jar"]
CMD ["replicate"]
