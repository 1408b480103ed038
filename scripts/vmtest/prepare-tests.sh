#!/usr/bin/env bash
# Usage: prepare-tests.sh
#   On the host, before booting: compiles the test modules, computes their test class path and
#   fetches the JUnit console launcher matching the project's JUnit version. Writes
#     target/vmtest/test-classpath.txt  one class path (test-classes and classes as jars under
#                                       target/vmtest/jars, dependency jars,
#                                       junit-platform-console-standalone), for java -cp
#     target/vmtest/scan-roots.txt      the modules' test-classes jars the launcher scans
# Env: VMTEST_TEST_MODULES  Maven modules whose kernel tests run (default: dentry-core)
#      VMTEST_SKIP_BUILD=1  reuse what target/ already has (no Maven run)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

OUT=$REPO_ROOT/target/vmtest
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

mvnw() { (cd "$REPO_ROOT" && ./mvnw -q -B "$@"); }

# build MODULES... -> test-compile them (and what they need) and write each one's
# target/vmtest-classpath.txt.
build() {
  local modules
  modules=$(IFS=,; echo "$*")
  log "compiling $modules and computing the test class path (Maven)"
  mvnw -pl "$modules" -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/vmtest-classpath.txt \
    || die "Maven build of $modules failed; fix the build first (./mvnw -pl $modules -am test-compile)"
}

# console_jar -> path of junit-platform-console-standalone matching the project's JUnit.
console_jar() {
  local version jar
  version=$(mvnw -N help:evaluate -Dexpression=junit.version -DforceStdout) \
    || die "cannot read junit.version from $REPO_ROOT/pom.xml"
  jar=$OUT/lib/junit-platform-console-standalone-$version.jar
  if [[ ! -s $jar ]]; then
    log "fetching junit-platform-console-standalone $version"
    mvnw -N dependency:copy "-Dartifact=org.junit.platform:junit-platform-console-standalone:$version" \
      "-DoutputDirectory=$OUT/lib" >&2 || die "cannot fetch junit-platform-console-standalone:$version from Maven Central"
  fi
  echo "$jar"
}

main() {
  local -a modules entries=() roots=() cp
  local m dir jar entry
  [[ -x $JAVA_HOME/bin/java ]] || die "no JDK at JAVA_HOME=$JAVA_HOME; install Temurin 25 there or set JAVA_HOME"
  read -ra modules <<<"${VMTEST_TEST_MODULES:-dentry-core}"
  ((${#modules[@]} > 0)) || die "VMTEST_TEST_MODULES is empty"
  mkdir -p "$OUT"
  if [[ ${VMTEST_SKIP_BUILD:-0} != 1 ]]; then build "${modules[@]}"; fi
  for m in "${modules[@]}"; do
    dir=$REPO_ROOT/$m
    [[ -f $dir/target/vmtest-classpath.txt ]] \
      || die "$m/target/vmtest-classpath.txt is missing; run without VMTEST_SKIP_BUILD=1"
    if [[ -d $dir/target/test-classes ]]; then roots+=("$dir/target/test-classes")
    else log "warning: $m has no target/test-classes (no tests compiled)"; fi
    entries+=("$dir/target/test-classes" "$dir/target/classes")
    IFS=: read -ra cp <<<"$(<"$dir/target/vmtest-classpath.txt")"
    entries+=("${cp[@]}")
  done
  ((${#roots[@]} > 0)) || die "no compiled tests in ${modules[*]}: nothing to run in the VMs; add @Tag(\"kernel\") tests or set VMTEST_TEST_MODULES"
  jar=$(console_jar)
  entries+=("$jar")
  # the class directories as jars: an AOT cache (guest-junit.sh) takes only jars on the class path
  local -a jarred=() scan=()
  rm -rf "$OUT/jars"
  mkdir -p "$OUT/jars"
  for entry in "${entries[@]}"; do
    if [[ -d $entry ]]; then
      jar="$OUT/jars/$(sed "s:^$REPO_ROOT/::; s:/target/:-:; s:/:-:g" <<<"$entry").jar"
      [[ -e $jar ]] || "$JAVA_HOME/bin/jar" --create --file "$jar" -C "$entry" . \
        || die "cannot jar $entry into $jar"
      for m in "${roots[@]}"; do [[ $m == "$entry" ]] && scan+=("$jar"); done
      entry=$jar
    fi
    jarred+=("$entry")
  done
  # one class path, each entry once, in first-seen order
  printf '%s\n' "${jarred[@]}" | awk 'NF && !seen[$0]++' | paste -sd: >"$OUT/test-classpath.txt"
  printf '%s\n' "${scan[@]}" >"$OUT/scan-roots.txt"
  for entry in "${roots[@]}"; do log "test classes: $entry"; done
  log "class path: $OUT/test-classpath.txt"
}

main "$@"
