# The hub as a container: the runnable jar with its routes/ and config/ beside it.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY src src
COPY config config
COPY routes routes
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# a user of its own, not root; its data (the embedded broker and store, when used) on a volume it owns
RUN groupadd --system --gid 10001 signalhub \
    && useradd --system --uid 10001 --gid signalhub --home-dir /opt/signalhub --no-create-home signalhub
WORKDIR /opt/signalhub
COPY --from=build /src/target/signalhub.jar .
COPY config config
COPY routes routes
RUN mkdir data && chown signalhub:signalhub data
USER signalhub
VOLUME /opt/signalhub/data
# the ports (Camel Main skips environment variables ending in _PORT, hence the hub's own)
ENV HUB_HTTP_PORT=8080 HUB_MANAGEMENT_PORT=9876
EXPOSE 8080 9876
# the heap, collector and native memory settings the benchmarks ran with (docs/benchmarks.md, and the
# hub's own for a command without them: MemoryDefaults); JAVA_OPTS overrides them
ENV JAVA_OPTS="-Xmx256m -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -Djdk.nio.maxCachedBufferSize=262144 -Dio.netty.allocator.numDirectArenas=1" \
    MALLOC_ARENA_MAX=2
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar signalhub.jar"]
