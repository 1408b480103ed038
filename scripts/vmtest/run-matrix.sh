#!/usr/bin/env bash
# Usage: run-matrix.sh [--smoke]
#   Runs the kernel-tagged JUnit tests inside each Debian kernel of VMTEST_KERNELS, once per
#   attach mode of VMTEST_MODES, and writes target/vmtest/summary.tsv, one line per kernel and
#   mode:  kernel_release<TAB>mode<TAB>tests<TAB>failures<TAB>skipped   ("-" = no result).
#   Exits non-zero if any cell has failures > 0, tests == 0, skipped > 0 or no result.
#   --smoke  boots each kernel and runs guest-probe.sh only (mode "smoke"; tests = checks).
#   Cells run VMTEST_JOBS at a time (default: the host's cores; each single-threaded TCG guest
#   keeps one core busy); the summary keeps the matrix order whatever order they finish in.
# Env (see README.md): VMTEST_KERNELS ("5.10 6.1 6.12 6.18 7.3"), VMTEST_MODES ("fentry kprobe"),
#   VMTEST_EXTRA_MODES (per kernel: "6.1:tracepoint 6.12:auto"),
#   VMTEST_BOOT_PER (kernel: one boot runs every mode; mode: one boot per mode), VMTEST_JOBS,
#   VMTEST_MODE_TIMEOUT (600 s per mode), VMTEST_TIMEOUT (whole VM run; derived by default),
#   VMTEST_TEST_MODULES ("dentry-core"), VMTEST_TEST_CLASSES, VMTEST_TAGS, VMTEST_JVM_ARGS,
#   VMTEST_CLASSPATH_FILE + VMTEST_SCAN_ROOTS (skip Maven), DENTRYWATCH_VMTEST_CACHE.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

OUT=$REPO_ROOT/target/vmtest
SUMMARY=$OUT/summary.tsv
TIMINGS=$OUT/timings.tsv
# each job writes its cells, notes and timings under $CELLS/JOB.*; they are merged in job order
CELLS=$OUT/cells
JOB_FILES=$CELLS/job

# cell RELEASE MODE TESTS FAILURES SKIPPED [NOTE]
cell() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$JOB_FILES.summary"
  [[ -z ${6:-} ]] || printf '%s %s: %s\n' "$1" "$2" "$6" >>"$JOB_FILES.notes"
  log "cell done: $1 $2: tests $3, failures $4, skipped $5${6:+ ($6)}"
}
timing() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$JOB_FILES.timings"; }

# xml_attr NAME TAG -> the numeric attribute NAME of TAG (0 if absent).
xml_attr() {
  local v
  v=$(sed -nE "s/.*[[:space:]]$1=\"([0-9]+)\".*/\\1/p" <<<"$2")
  echo "${v:-0}"
}

# junit_counts DIR -> "TESTS FAILURES SKIPPED" summed over DIR/TEST-*.xml (failures + errors);
# fails when DIR has no report.
junit_counts() {
  local f tag tests=0 failures=0 skipped=0 found=0
  for f in "$1"/TEST-*.xml; do
    [[ -f $f ]] || continue
    tag=$(head -c 65536 "$f" | tr '\n' ' ' | grep -o -m1 '<testsuite [^>]*>' || true)
    [[ -n $tag ]] || continue
    found=1
    tests=$((tests + $(xml_attr tests "$tag")))
    failures=$((failures + $(xml_attr failures "$tag") + $(xml_attr errors "$tag")))
    skipped=$((skipped + $(xml_attr skipped "$tag")))
  done
  ((found)) || return 1
  echo "$tests $failures $skipped"
}

# vm RELEASE_DIR TIMEOUT RESULTS CMD... -> run-in-vm.sh; prints why it failed, if it did.
vm() {
  local kdir=$1 timeout=$2 results=$3 rc=0
  shift 3
  local -a envs=(--env CI=true)
  local v
  for v in VMTEST_CLASSPATH_FILE VMTEST_SCAN_ROOTS VMTEST_TEST_CLASSES VMTEST_TAGS VMTEST_JVM_ARGS \
    VMTEST_MODE_TIMEOUT VMTEST_JAVA VMTEST_AOT_CACHE; do
    [[ -z ${!v+set} ]] || envs+=(--env "$v=${!v}")
  done
  mkdir -p "$results"
  "$VMTEST_DIR/run-in-vm.sh" --quiet --results "$results" "${envs[@]}" "$kdir" "$timeout" -- "$@" \
    2>"$results/run-in-vm.log" || rc=$?
  grep -v '^vmtest: \(booting\|building\|  \)' "$results/run-in-vm.log" >&2 || true
  timing "${kdir##*/}" "boot${VM_LABEL:+-$VM_LABEL}" "$(cat "$results/guest-boot-seconds" 2>/dev/null || echo -)"
  timing "${kdir##*/}" "vm-run${VM_LABEL:+-$VM_LABEL}" "$(cat "$results/vm-seconds" 2>/dev/null || echo -)"
  if ((rc == 125)); then
    grep -m1 '^vmtest: FAILURE' "$results/run-in-vm.log" | sed 's/^vmtest: //' || echo "VM run failed"
  fi
}

# smoke KERNEL_DIR -> one cell from guest-probe.sh.
smoke() {
  local kdir=$1 release=${1##*/} results=$OUT/${1##*/}/smoke failed tests fails
  rm -rf "$results"
  failed=$(vm "$kdir" "${VMTEST_TIMEOUT:-400}" "$results" "$VMTEST_DIR/guest-probe.sh")
  if [[ -n $failed || ! -s $results/probe.tsv ]]; then
    cell "$release" smoke - - - "${failed:-no probe.tsv}; console: $results/console.log"
    return
  fi
  tests=$(awk -F'\t' '$2 == "PASS" || $2 == "FAIL"' "$results/probe.tsv" | wc -l)
  fails=$(awk -F'\t' '$2 == "FAIL"' "$results/probe.tsv" | wc -l)
  timing "$release" jdk25-start "$(awk -F'\t' '$1 == "jdk25-start" { split($3, a, "s"); print a[1] }' "$results/probe.tsv")"
  cell "$release" smoke "$tests" "$fails" 0 \
    "$( ((fails == 0)) || awk -F'\t' '$2 == "FAIL" { printf "%s: %s; ", $1, $3 }' "$results/probe.tsv")"
}

# mode_cell RELEASE MODE DIR VM_FAILURE -> one cell from the launcher's reports in DIR; a VM
# failure (panic, time limit) counts as one more failure even when the reports are complete.
mode_cell() {
  local release=$1 mode=$2 dir=$3 failed=$4 counts exit_code t f s note=''
  exit_code=$(cat "$dir/launcher-exit" 2>/dev/null || true)
  if [[ $exit_code == 124 || $exit_code == 137 ]]; then
    cell "$release" "$mode" - - - "launcher killed after VMTEST_MODE_TIMEOUT=${VMTEST_MODE_TIMEOUT}s (hang?); see $dir/../guest-output.log"
    return
  fi
  if [[ -z $exit_code ]] || ! counts=$(junit_counts "$dir"); then
    cell "$release" "$mode" - - - "no JUnit XML report in $dir${failed:+ ($failed)}${exit_code:+ (launcher exit $exit_code)}"
    return
  fi
  read -r t f s <<<"$counts"
  timing "$release" "mode-$mode" "$(cat "$dir/seconds" 2>/dev/null || echo -)"
  # the functions the sampler chose on this kernel (d_splice_alias_ops on 6.15+, inlined functions)
  local hooks
  hooks=$(grep -a -m1 -o '[A-Z]* hooks attached: .*' "$dir/../guest-output.log" 2>/dev/null || true)
  [[ -z $hooks ]] || { log "$release $mode: $hooks"; echo "$hooks" >"$dir/hooks.txt"; }
  if ((exit_code != 0 && f == 0)); then
    f=1 note="launcher exited $exit_code although its report has no failure"
  fi
  if [[ -n $failed ]]; then
    f=$((f + 1)) note="${note:+$note; }VM run failed after the launcher: $failed"
  fi
  ((f == 0)) || note=${note:-"failures: see $dir and the guest console"}
  ((t > 0)) || note="no test ran: nothing tagged ${VMTEST_TAGS:-kernel} was found"
  ((s == 0)) || note="${note:+$note; }$s skipped: under CI=true a kernel test must run"
  cell "$release" "$mode" "$t" "$f" "$s" "$note"
}

# tests KERNEL_DIR MODES... -> one cell per mode.
tests() {
  local kdir=$1 release=${1##*/} mode failed results timeout
  shift
  local mode_timeout=${VMTEST_MODE_TIMEOUT:-600}
  export VMTEST_MODE_TIMEOUT=$mode_timeout
  if [[ ${VMTEST_BOOT_PER:-mode} == kernel ]]; then
    results=$OUT/$release/tests
    rm -rf "$results"
    timeout=${VMTEST_TIMEOUT:-$((120 + $# * (mode_timeout + 20)))}
    failed=$(vm "$kdir" "$timeout" "$results" "$VMTEST_DIR/guest-junit.sh" "$@")
    # a VM failure is charged to the first mode without a result, else to the last mode
    local blame=${*: -1}
    for mode in "$@"; do [[ -s $results/$mode/launcher-exit ]] || { blame=$mode; break; }; done
    for mode in "$@"; do
      if [[ $mode == "$blame" ]]; then mode_cell "$release" "$mode" "$results/$mode" "$failed"
      else mode_cell "$release" "$mode" "$results/$mode" ""; fi
    done
  else
    for mode in "$@"; do
      results=$OUT/$release/tests-$mode
      rm -rf "$results"
      timeout=${VMTEST_TIMEOUT:-$((120 + mode_timeout + 20))}
      failed=$(VM_LABEL=$mode vm "$kdir" "$timeout" "$results" "$VMTEST_DIR/guest-junit.sh" "$mode")
      mode_cell "$release" "$mode" "$results/$mode" "$failed"
    done
  fi
}

print_table() {
  echo
  echo "vmtest summary ($SUMMARY):"
  { printf 'kernel_release\tmode\ttests\tfailures\tskipped\n'; cat "$SUMMARY"; } | column -t -s $'\t'
  [[ ! -s $OUT/notes.txt ]] || sed 's/^/  ! /' "$OUT/notes.txt"
}

# verdict -> 0 when every cell ran tests with no failure and no skip.
verdict() {
  # the closing line test runners print: tests passed and failed over every cell (a cell without a result fails)
  awk -F'\t' '{ if ($3 == "-") { f++ } else { p += $3 - $4 - $5; f += $4; s += $5 } }
    END { printf "vmtest: %d passed, %d failed, %d skipped\n", p, f, s }' "$SUMMARY"
  awk -F'\t' '$3 == "-" || $3 == 0 || $4 != 0 || $5 != 0 { bad++ } END { exit bad > 0 }' "$SUMMARY"
}

# extra_modes SPEC -> the modes VMTEST_EXTRA_MODES adds for this kernel ("6.1:tracepoint 6.12:auto").
extra_modes() {
  local entry
  for entry in ${VMTEST_EXTRA_MODES-6.1:tracepoint 6.12:auto}; do
    [[ ${entry%%:*} == "$1" ]] && echo "${entry#*:}"
  done
  return 0
}

main() {
  local smoke_only=0 spec kdir start
  local -a kernels modes kdirs=()
  case ${1:-} in
    --smoke) smoke_only=1 ;;
    '') ;;
    *) die "usage: $0 [--smoke]" ;;
  esac
  read -ra kernels <<<"${VMTEST_KERNELS:-5.10 6.1 6.12 6.18 7.3}"
  read -ra modes <<<"${VMTEST_MODES:-fentry kprobe}"
  [[ $(id -u) == 0 ]] || die "run as root (sudo): the VMs share the root file system and the tests need root"
  need_vm_host_packages
  need_host_packages column:bsdextrautils
  mkdir -p "$OUT"
  : >"$SUMMARY"
  : >"$TIMINGS"
  : >"$OUT/notes.txt"
  start=$(now)
  for spec in "${kernels[@]}"; do
    kdir=$("$VMTEST_DIR/fetch-kernel.sh" "$spec")
    "$VMTEST_DIR/build-initramfs.sh" "$kdir" >/dev/null
    kdirs+=("$kdir")
  done
  if ((smoke_only)); then
    need_host_packages bpftool:bpftool bpftrace:bpftrace
    "$VMTEST_DIR/attach-probe/build.sh" "$OUT/attach-probe" >/dev/null
  elif [[ -z ${VMTEST_CLASSPATH_FILE:-} ]]; then
    "$VMTEST_DIR/prepare-tests.sh"
    export VMTEST_CLASSPATH_FILE=$OUT/test-classpath.txt
    VMTEST_SCAN_ROOTS=$(paste -sd: "$OUT/scan-roots.txt")
    export VMTEST_SCAN_ROOTS
  fi
  if ((!smoke_only)) && [[ ${VMTEST_AOT:-1} == 1 && -z ${VMTEST_AOT_CACHE:-} ]]; then
    # one training run on the host; every guest JVM (and the tests' child JVMs) starts from its cache
    "$VMTEST_DIR/train-aot.sh" "$OUT/launcher.aot"
    export VMTEST_AOT_CACHE=$OUT/launcher.aot
  fi
  # the jobs: one per cell (or per kernel with VMTEST_BOOT_PER=kernel), in matrix order
  local i mode njobs=${VMTEST_JOBS:-$(nproc)}
  local -a jobs=()
  for i in "${!kdirs[@]}"; do
    if ((smoke_only)); then jobs+=("${kdirs[$i]} smoke"); continue; fi
    local -a cell_modes=("${modes[@]}")
    mapfile -t -O "${#cell_modes[@]}" cell_modes < <(extra_modes "${kernels[$i]}")
    if [[ ${VMTEST_BOOT_PER:-mode} == kernel ]]; then jobs+=("${kdirs[$i]} ${cell_modes[*]}")
    else for mode in "${cell_modes[@]}"; do jobs+=("${kdirs[$i]} $mode"); done; fi
  done
  ((njobs >= 1)) || die "VMTEST_JOBS must be at least 1, got $njobs"
  rm -rf "$CELLS"
  mkdir -p "$CELLS"
  log "${#jobs[@]} VM runs, $njobs at a time"
  for i in "${!jobs[@]}"; do
    while (($(jobs -rp | wc -l) >= njobs)); do wait -n || true; done
    (
      JOB_FILES=$CELLS/$(printf '%03d' "$i")
      read -r kdir job_modes <<<"${jobs[$i]}"
      log "---- ${kdir##*/} $job_modes ----"
      # shellcheck disable=SC2086 # job_modes is a list of words
      if ((smoke_only)); then smoke "$kdir"; else tests "$kdir" $job_modes; fi
    ) &
  done
  wait
  for i in "${!jobs[@]}"; do
    JOB_FILES=$CELLS/$(printf '%03d' "$i")
    if [[ -s $JOB_FILES.summary ]]; then cat "$JOB_FILES.summary" >>"$SUMMARY"
    else
      read -r kdir job_modes <<<"${jobs[$i]}"
      printf '%s\t%s\t-\t-\t-\n' "${kdir##*/}" "$job_modes" >>"$SUMMARY"
      echo "${kdir##*/} $job_modes: the job wrote no result" >>"$OUT/notes.txt"
    fi
    cat "$JOB_FILES.notes" >>"$OUT/notes.txt" 2>/dev/null || true
    cat "$JOB_FILES.timings" >>"$TIMINGS" 2>/dev/null || true
  done
  JOB_FILES=$CELLS/matrix
  printf '%s\t%s\t%s\n' all matrix "$(elapsed "$start")" >>"$TIMINGS"
  print_table
  echo "timings (seconds): $TIMINGS; whole matrix $(elapsed "$start")s"
  verdict
}

main "$@"
