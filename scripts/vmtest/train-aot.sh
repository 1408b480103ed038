#!/usr/bin/env bash
# Usage: train-aot.sh CACHE
#   On the host, before booting: one training run of the guest's launcher (the same JDK, class
#   path and VM options guest-junit.sh uses) over a few kernel test classes, writing a JDK 25 AOT
#   cache (JEP 483/514: classes loaded and linked ahead of time) to CACHE. Every guest JVM of the
#   matrix then starts from it: under TCG a JVM spends tens of seconds loading and linking classes.
#   The training's test results do not matter (this host runs tracepoint mode); the cache does.
# Env: VMTEST_CLASSPATH_FILE (prepare-tests.sh's), VMTEST_JVM_ARGS (as guest-junit.sh),
#      VMTEST_AOT_TRAINING (fully qualified classes to run; default: io.dentrywatch.core.DentrySamplerKernelTest
#      io.dentrywatch.core.DentryLifecycleKernelTest io.dentrywatch.oom.OomWatcherKernelTest), VMTEST_JAVA.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

cache=${1:?usage: $0 CACHE}
java=${VMTEST_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
cp_file=${VMTEST_CLASSPATH_FILE:?VMTEST_CLASSPATH_FILE must name the class path file}
read -ra jvm_args <<<"${VMTEST_JVM_ARGS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
selectors=()
for c in ${VMTEST_AOT_TRAINING:-io.dentrywatch.core.DentrySamplerKernelTest io.dentrywatch.core.DentryLifecycleKernelTest io.dentrywatch.oom.OomWatcherKernelTest}; do
  selectors+=("--select-class=$c")
done
rm -f "$cache"
start=$(now)
# the guest's options exactly (an AOT cache is refused under other class paths or module options)
"$java" --enable-native-access=ALL-UNNAMED "${jvm_args[@]}" "-XX:AOTCacheOutput=$cache" \
  -Ddentrywatch.test.attachMode=AUTO "-Djava.io.tmpdir=${TMPDIR:-/tmp}" \
  -cp "$(<"$cp_file")" org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --disable-ansi-colors --details=none --include-tag=kernel --exclude-tag=vm-only \
  "${selectors[@]}" >"$cache.log" 2>&1 || true
[[ -s $cache ]] || die "no AOT cache written; see $cache.log"
log "AOT cache $cache ($(du -h "$cache" | cut -f1)) trained in $(elapsed "$start")s"
