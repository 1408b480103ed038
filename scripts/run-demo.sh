#!/usr/bin/env bash
# Builds the library and runs the sampler demo on this node (as root): a sample every few seconds.
# Arguments go to the demo: [interval-seconds] [AUTO|FENTRY|KPROBE|TRACEPOINT|NONE].
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
dentrywatch_install_packages
dentrywatch_select_jdk
./mvnw -B -ntp -q package -DskipTests -pl examples/demo -am
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar examples/demo/target/dentrywatch-demo.jar "$@"
