#!/usr/bin/env bash
# Usage (inside the guest, through run-in-vm.sh): guest-junit.sh MODE...
#   For each MODE (fentry, kprobe, auto, ...) runs the kernel-tagged JUnit tests with the JUnit
#   Platform Console Launcher on JDK 25, one JVM per mode:
#     CI=true java --enable-native-access=ALL-UNNAMED -Ddentrywatch.test.attachMode=MODE (upper case)
#       -cp CLASSPATH org.junit.platform.console.ConsoleLauncher execute --include-tag kernel ...
#   Reports (legacy JUnit XML) go to $VMTEST_RESULTS/MODE/, with launcher-exit and seconds.
# Env: VMTEST_CLASSPATH_FILE   file holding the class path (prepare-tests.sh writes one)
#      VMTEST_SCAN_ROOTS       ':'-separated test-classes dirs to scan, or
#      VMTEST_TEST_CLASSES     space-separated fully qualified classes to select instead
#      VMTEST_TAGS             tag expression (default: kernel)
#      VMTEST_JVM_ARGS         extra JVM options (default: -XX:TieredStopAtLevel=1 -XX:+UseSerialGC,
#                              which halves JVM time under TCG; set it empty for the JVM defaults)
#      VMTEST_MODE_TIMEOUT     seconds per mode (default 600)
#      VMTEST_AOT_CACHE        an AOT cache train-aot.sh made for this class path and these options
set -uo pipefail
java=${VMTEST_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
out=${VMTEST_RESULTS:?run me through run-in-vm.sh}
cp_file=${VMTEST_CLASSPATH_FILE:?VMTEST_CLASSPATH_FILE must name the class path file}
(($# > 0)) || { echo "usage: $0 MODE..." >&2; exit 2; }
[[ -s $cp_file ]] || { echo "guest-junit: class path file $cp_file is missing or empty" >&2; exit 2; }
classpath=$(<"$cp_file")

selectors=()
if [[ -n ${VMTEST_TEST_CLASSES:-} ]]; then
  for c in $VMTEST_TEST_CLASSES; do selectors+=("--select-class=$c"); done
else
  [[ -n ${VMTEST_SCAN_ROOTS:-} ]] || { echo "guest-junit: set VMTEST_SCAN_ROOTS or VMTEST_TEST_CLASSES" >&2; exit 2; }
  IFS=: read -ra roots <<<"$VMTEST_SCAN_ROOTS"
  for r in "${roots[@]}"; do selectors+=("--scan-classpath=$r"); done
fi
read -ra jvm_args <<<"${VMTEST_JVM_ARGS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
if [[ -n ${VMTEST_AOT_CACHE:-} ]]; then
  [[ -s $VMTEST_AOT_CACHE ]] || { echo "guest-junit: AOT cache $VMTEST_AOT_CACHE is missing" >&2; exit 2; }
  # -Xlog: a cache the JVM refuses says so in the cell's output instead of silently costing time
  jvm_args+=("-XX:AOTCache=$VMTEST_AOT_CACHE" "-Xlog:aot=warning:stderr")
fi

status=0
for mode in "$@"; do
  dir=$out/$mode
  mkdir -p "$dir"
  rm -f "$dir"/TEST-*.xml "$dir/launcher-exit" "$dir/seconds"
  echo "guest-junit: ---- mode $mode on $(uname -r) ----"
  start=$(date +%s.%N)
  CI=true timeout --kill-after=10 "${VMTEST_MODE_TIMEOUT:-600}" \
    "$java" --enable-native-access=ALL-UNNAMED "${jvm_args[@]}" \
    "-Ddentrywatch.test.attachMode=${mode^^}" -Ddentrywatch.test.globalOom=true "-Djava.io.tmpdir=${TMPDIR:-/tmp}" \
    -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree \
    "--include-tag=${VMTEST_TAGS:-kernel}" "--reports-dir=$dir" "${selectors[@]}"
  rc=$?
  echo "$rc" >"$dir/launcher-exit"
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' >"$dir/seconds"
  echo "guest-junit: mode $mode: launcher exit $rc after $(<"$dir/seconds")s"
  ((rc == 0)) || status=1
done
exit "$status"
