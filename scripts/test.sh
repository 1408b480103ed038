#!/usr/bin/env bash
# The whole test suite: unit tests, then the kernel tests on this host (as root: real BPF, real
# cgroups). Installs what it needs (Debian packages, JDK 25 selection, Maven through the wrapper).
# Under CI=true a kernel test that cannot run fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
dentrywatch_install_packages
dentrywatch_select_jdk
echo "test: JDK $JAVA_HOME, kernel $(uname -r), user $(id -un)${CI:+, CI=$CI}" >&2
./mvnw -B -ntp verify "$@"
