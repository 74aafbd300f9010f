# syntax=docker/dockerfile:1
#
# resnet-stream container image: Maven build, then a Java 17 runtime.
#
#   docker build -t resnet-stream .                          # CPU (eclipse-temurin:17-jre)
#   docker build -t resnet-stream:gpu --build-arg BASE=gpu .  # NVIDIA CUDA + cuDNN runtime base
#
# TensorFlow natives ("thin" image): the app is built without the 487 MB natives jar
# (quarkus.class-loading.removed-artifacts) and the three shared libraries from that jar are
# unpacked once, here, into /opt/tensorflow/lib, with TENSORFLOW_LIBRARY_PATH pointing there. The
# container then starts without DJL unpacking ~970 MB into ENGINE_CACHE_DIR on every new
# container, and the root file system can stay read-only. (Verified outside Docker: DJL 0.28
# loads TF 2.10.1 from TENSORFLOW_LIBRARY_PATH with the natives jar off the class path.)
#
# GPU: the project's natives (ai.djl.tensorflow:tensorflow-native-cpu:2.10.1) are in fact a
# CUDA 11.3 build: on a CUDA 11.x + cuDNN 8 base (the default CUDA_IMAGE below) they can use the
# GPU. The CUDA 12 natives (tensorflow-native-cu121:2.16.1) need DJL 0.29+ in pom.xml; build them
# with --build-arg TF_NATIVES_ARTIFACT=tensorflow-native-cu121 and a CUDA 12 + cuDNN 8.9 image,
# e.g. --build-arg CUDA_IMAGE=nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04. Neither GPU variant
# has been run here (no Docker engine and no GPU on the build machines). The host needs the
# NVIDIA Container Toolkit (see docker-compose.gpu.yml).
#
# Only pom.xml, schemas/, src/ and models/ are copied; BuildKit sends nothing else of the context.

ARG BASE=cpu
ARG CUDA_IMAGE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
ARG TF_NATIVES_ARTIFACT=tensorflow-native-cpu

# ---- build ------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
ARG TF_NATIVES_ARTIFACT
WORKDIR /build
COPY pom.xml ./
COPY schemas/ schemas/
COPY src/ src/
# One RUN so both Maven steps share the cached repository (a cache mount lives for one RUN).
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests package \
        -Dquarkus.class-loading.removed-artifacts=ai.djl.tensorflow:${TF_NATIVES_ARTIFACT}:linux-x86_64 \
 && mvn -B -ntp dependency:copy-dependencies \
        -DincludeGroupIds=ai.djl.tensorflow -DincludeArtifactIds=${TF_NATIVES_ARTIFACT} \
        -DoutputDirectory=/tmp/natives \
 && mkdir -p /opt/tensorflow && cd /opt/tensorflow \
 && jar xf /tmp/natives/*.jar native/lib \
 && mv native/lib lib && rm -rf native lib/tensorflow.properties \
 && ls -l /opt/tensorflow/lib

# ---- runtime bases ----------------------------------------------------------------------------
FROM eclipse-temurin:17-jre AS base-cpu

FROM ${CUDA_IMAGE} AS base-gpu
# The CUDA images carry no Java: take Temurin's JRE (same glibc-based Ubuntu family).
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
COPY --from=eclipse-temurin:17-jre /opt/java/openjdk /opt/java/openjdk
# Which GPU features the NVIDIA runtime exposes (the CUDA images set these too).
ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility

# ---- runtime ----------------------------------------------------------------------------------
FROM base-${BASE} AS runtime
# curl for the HEALTHCHECK; a non-root user in group 0 (OpenShift-style arbitrary uids work too).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 1001 --gid 0 --home-dir /deployments --shell /usr/sbin/nologin resnet \
 && mkdir -p /deployments /models /var/cache/resnet-stream \
 && chown -R 1001:0 /var/cache/resnet-stream && chmod -R g+rwX /var/cache/resnet-stream

COPY --from=build /opt/tensorflow/lib/ /opt/tensorflow/lib/
# Fast-jar layout, least changing first so rebuilds reuse the dependency layer.
COPY --from=build /build/target/quarkus-app/lib/ /deployments/lib/
COPY --from=build /build/target/quarkus-app/*.jar /deployments/
COPY --from=build /build/target/quarkus-app/app/ /deployments/app/
COPY --from=build /build/target/quarkus-app/quarkus/ /deployments/quarkus/
# The shipped models (the trained demo model is the default); mount your own over /models.
COPY models/ /models/

ENV DJL_OFFLINE=true \
    ENGINE_CACHE_DIR=/var/cache/resnet-stream \
    DJL_CACHE_DIR=/var/cache/resnet-stream/djl \
    TENSORFLOW_LIBRARY_PATH=/opt/tensorflow/lib \
    TF_CPP_MIN_LOG_LEVEL=2 \
    RESNET_MODEL_DIR=/models/shapes-resnet20 \
    QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8080
# Health and metrics: the service binds loopback by default (application.properties); inside a container that
# would hide them from probes and Prometheus, hence 0.0.0.0 here. Publish the port only where it should be
# reached (compose: the host's loopback; Kubernetes: the pod network, a NetworkPolicy to narrow it).
# TensorFlow allocates outside the Java heap: keep the heap a modest share of the container.
# JavaCPP (under TensorFlow's Java API) wants a writable cache; the home folder is not writable.
# A quarter of the container for the heap: activations and decoded pixels live in native memory
# (TensorFlow, OpenCV); docs/operations.md, Memory, has the formula.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=25 -XX:+ExitOnOutOfMemoryError -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dorg.bytedeco.javacpp.cachedir=/var/cache/resnet-stream/javacpp"

USER 1001
WORKDIR /deployments
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://localhost:8080/q/health/live >/dev/null || exit 1
# exec: java is PID 1 and gets SIGTERM itself, so Kafka Streams closes cleanly on stop.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar \"$@\"", "--"]
