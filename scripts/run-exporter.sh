#!/usr/bin/env bash
# Builds the reference exporter and runs it on this node (as root): /metrics and /healthz on port 9090
# (METRICS_PORT or --metrics-port to change it), this host's cgroups labelled by cgroup path.
# Arguments go to the exporter: scripts/run-exporter.sh --help lists them. SIGTERM or Ctrl-C stops it
# and detaches the probes.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
dentrywatch_install_packages
dentrywatch_select_jdk
./mvnw -B -ntp -q package -DskipTests -pl examples/exporter -am
# the JVM flags of the container image (deploy/Dockerfile), so what runs here is what is measured there
export MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
exec "$JAVA_HOME/bin/java" -Xshare:off -XX:+UseSerialGC -Xms12m -Xmx12m -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=20 \
  -XX:ReservedCodeCacheSize=16m -Xss256k -XX:StringTableSize=4096 -Djava.locale.providers=SPI \
  -Djdk.nio.maxCachedBufferSize=65536 \
  -XX:TrimNativeHeapInterval=60000 -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError \
  -jar examples/exporter/target/dentrywatch-exporter.jar "$@"
