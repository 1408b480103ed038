#!/usr/bin/env bash
# The consumer test: builds examples/consumer -- two tiny projects that import dentrywatch-bom and depend
# on dentry-core and dentry-prometheus without versions, as a library user does -- against the artifacts
# installed in the local Maven repository, offline, and runs both for real (root, real BPF):
#   modular/    module-info, module path, --enable-native-access=io.dentrywatch.bpf
#   classpath/  the same code without module-info, class path, --enable-native-access=ALL-UNNAMED
# (both also with --illegal-native-access=deny: a missing grant fails the run). Checks each run's output:
# which module each side is in, that the dentry-core jar it loaded is the one this tree built, the attach
# mode, that the dentries it made are counted, that the node dentry count (sampled and scraped through
# the Prometheus adapter) agrees with /proc/sys/fs/dentry-state, and that the JVM printed no warning.
# Needs the reactor installed first: ./mvnw install (scripts/test.sh does it, then calls this).
# Without root it builds both and skips the runs, except under CI=true, where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
. scripts/setup.sh
dentrywatch_select_jdk

fail() { echo "consumer-test: FAIL: $*" >&2; exit 1; }

dir=examples/consumer
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' dentrywatch-bom/pom.xml)
[ -n "$version" ] || fail "cannot read the version of dentrywatch-bom/pom.xml"

run=1 skip=()
if [ "$(id -u)" -ne 0 ]; then
  [ "${CI:-}" = true ] && fail "the consumer runs need root (real BPF) and CI=true does not allow skipping them"
  echo "consumer-test: SKIP the runs: not root (real BPF needs it); building both consumers only" >&2
  run=0 skip=(-Dexec.skip=true)
fi

rm -rf "$dir/modular/target" "$dir/classpath/target"
dentry_total() { read -r total _ < /proc/sys/fs/dentry-state; echo "$total"; }
before=$(dentry_total)
# offline: the consumers need only what the reactor's own build already put in the local repository
mvn_status=0
./mvnw -B -ntp -o -q -f "$dir/pom.xml" verify -Ddentrywatch.version="$version" ${skip[@]+"${skip[@]}"} || mvn_status=$?
after=$(dentry_total)
for side in modular classpath; do
  if [ -f "$dir/$side/target/run.log" ]; then
    echo "consumer-test: --- $side run ---" >&2
    sed 's/^/  /' "$dir/$side/target/run.log" >&2
  fi
done
[ "$mvn_status" -eq 0 ] || fail "building or running $dir failed (exit $mvn_status); if dentrywatch-bom $version is missing, run ./mvnw install first"
if [ "$run" = 0 ]; then
  echo "consumer-test: built both consumers against dentrywatch $version ($((SECONDS - start)) s); runs skipped (not root)" >&2
  exit 0
fi

lo=$(( (before < after ? before : after) * 9 / 10 ))
hi=$(( (before > after ? before : after) * 11 / 10 ))

# value KEY: the first KEY=... line of the run's output ($log)
value() { sed -n "s/^$1=//p" "$log" | head -1; }

check() {
  local side=$1 app_module=$2 core_module=$3
  log="$dir/$1/target/run.log"
  ! grep -n '^WARNING' "$log" >&2 || fail "$side: the JVM printed a warning (above)"
  ! grep -n -i 'restricted method' "$log" >&2 || fail "$side: a native-access warning (above)"
  [ "$(value app.module)" = "$app_module" ] || fail "$side: the application is in module '$(value app.module)', expected $app_module"
  [ "$(value core.module)" = "$core_module" ] || fail "$side: dentry-core is in module '$(value core.module)', expected $core_module"

  # the jar it ran with came from a Maven repository, and it is the one this tree built and installed
  local jar repo
  jar=$(value core.jar)
  case $jar in
    */io/dentrywatch/dentry-core/"$version"/dentry-core-"$version".jar) ;;
    *) fail "$side: dentry-core was loaded from '$jar', not from a Maven repository" ;;
  esac
  repo=${jar%/io/dentrywatch/dentry-core/*}
  local m
  for m in dentry-bpf dentry-core dentry-prometheus; do
    cmp -s "$m/target/$m-$version.jar" "$repo/io/dentrywatch/$m/$version/$m-$version.jar" \
      || fail "$side: $repo holds another $m $version than $m/target built: run ./mvnw install"
  done
  cmp -s dentrywatch-bom/pom.xml "$repo/io/dentrywatch/dentrywatch-bom/$version/dentrywatch-bom-$version.pom" \
    || fail "$side: $repo holds another dentrywatch-bom $version than dentrywatch-bom/pom.xml: run ./mvnw install"

  local mode total scraped lookups allocations
  mode=$(value mode) total=$(value node.total) scraped=$(value scrape.node_dentry_count.total)
  lookups=$(value lookups) allocations=$(value allocations)
  case $mode in
    FENTRY|KPROBE|TRACEPOINT) ;;
    *) fail "$side: attach mode '$mode', expected FENTRY, KPROBE or TRACEPOINT (root, real BPF); $(value degraded)" ;;
  esac
  grep -q '^counters=.*ALLOC' "$log" || fail "$side: mode $mode does not feed ALLOC: $(value counters)"
  [ "${allocations:-0}" -ge "${lookups:-1}" ] \
    || fail "$side: the sampler counted ${allocations:-no} dentry allocations for ${lookups:-?} lookups of missing names"
  [ "$total" -ge "$lo" ] && [ "$total" -le "$hi" ] \
    || fail "$side: node.total=$total, but /proc/sys/fs/dentry-state said $before before and $after after the build (allowed $lo..$hi)"
  [ "$scraped" -ge "$lo" ] && [ "$scraped" -le "$hi" ] \
    || fail "$side: node_dentry_count{type=\"total\"} scraped $scraped, but /proc/sys/fs/dentry-state said $before..$after (allowed $lo..$hi)"
  echo "consumer-test: $side: mode $mode, $allocations allocations counted for $lookups lookups, node.total=$total (dentry-state $before..$after), no JVM warning" >&2
}
check modular com.example.consumer io.dentrywatch.core
check classpath unnamed unnamed
echo "consumer-test: passed: module path and class path against dentrywatch $version ($((SECONDS - start)) s)" >&2
