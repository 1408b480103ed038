#!/usr/bin/env bash
# Builds and runs dentrywatch's benchmarks (by hand, as root; not run in CI). See RESULTS.md.
#
#   sudo benchmarks/run.sh [--quick] [all|jmh|poll|hotpath|footprint]...
#
#   jmh        JMH: map polling (100..100,000 entries, batch and iteration), sample() with 1,000 real
#              cgroups, /metrics for 1,000 containers; -prof gc        -> target/jmh.txt, target/jmh.json
#   poll       the Java map reader against a C libbpf reader of the same pinned map, alternating
#                                                                       -> target/poll-comparison.{txt,csv}
#   hotpath    churn timed without probes, with empty programs, with dentrywatch's programs alone, with
#              the exporter, with bpftrace; on tmpfs and on ext4 (benchmarks/hotpath.sh)
#                                                                       -> target/hotpath/, target/hotpath-ext4/
#              (the kernel matrix in qemu, benchmarks/hotpath-vm.sh, and probe-cost.sh run apart)
#   footprint  exporter RSS over 10 minutes with 1,000 active cgroups, start to first scrape, JVM
#              flag sets side by side (benchmarks/footprint.sh)         -> target/footprint/
#
# --quick shortens everything (a smoke run: the numbers are not worth reporting).
# MVN_ARGS adds Maven arguments (for example MVN_ARGS=-o to build offline).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

QUICK=""
WHAT=()
for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        all | jmh | poll | hotpath | footprint) WHAT+=("$a") ;;
        *) echo "usage: $0 [--quick] [all|jmh|poll|hotpath|footprint]..." >&2; exit 2 ;;
    esac
done
[[ ${#WHAT[@]} -gt 0 ]] || WHAT=(all)
wants() {
    local w
    for w in "${WHAT[@]}"; do [[ "$w" == all || "$w" == "$1" ]] && return 0; done
    return 1
}
bench_require_root

MOUNTED_BPFFS=""
cleanup() {
    [[ -n "$MOUNTED_BPFFS" ]] && umount "$MOUNTED_BPFFS"
    # nothing of ours may stay pinned, even after a crash
    rm -f /sys/fs/bpf/dentrywatch-bench-* 2>/dev/null || true
}
trap cleanup EXIT

bench_log "building (JDK $JAVA_HOME)"
# shellcheck disable=SC2086
(cd "$REPO_DIR" && ./mvnw -B -ntp -q ${MVN_ARGS:-} -pl benchmarks,examples/exporter -am package -DskipTests)
bench_build_native churn
bench_build_native poll -lbpf
if ! findmnt -rn -t bpf /sys/fs/bpf >/dev/null; then
    mount -t bpf bpf /sys/fs/bpf
    MOUNTED_BPFFS=/sys/fs/bpf
fi

JAR="$BENCH_DIR/target/benchmarks.jar"
mkdir -p "$BENCH_DIR/target"

if wants jmh; then
    bench_log "JMH"
    if [[ -n "$QUICK" ]]; then
        JMH_ARGS=(-f 1 -wi 1 -w 1s -i 1 -r 1s)
    else
        JMH_ARGS=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
    fi
    { bench_machine; echo; } >"$BENCH_DIR/target/jmh.txt"
    "$JAVA" -jar "$JAR" "${JMH_ARGS[@]}" -prof gc -rf json -rff "$BENCH_DIR/target/jmh.json" \
        'MapPollBenchmark|SampleBenchmark|MetricsRenderBenchmark' | tee -a "$BENCH_DIR/target/jmh.txt"
fi

if wants poll; then
    bench_log "Java reader against the C reader"
    { bench_machine; echo; } >"$BENCH_DIR/target/poll-comparison.txt"
    "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" io.dentrywatch.benchmarks.PollComparison \
        --rounds "$([[ -n "$QUICK" ]] && echo 3 || echo 15)" --csv "$BENCH_DIR/target/poll-comparison.csv" \
        | tee -a "$BENCH_DIR/target/poll-comparison.txt"
fi

HOTPATH_MODES=baseline,floor,programs-raw,programs-btf,dentrywatch,dentrywatch-none,bpftrace
if wants hotpath; then
    bench_log "hot path"
    if [[ -n "$QUICK" ]]; then
        "$BENCH_DIR/hotpath.sh" --rounds 1 --lookups 200000 --creates 20000 \
            --modes "$HOTPATH_MODES"
    else
        "$BENCH_DIR/hotpath.sh" --rounds 7 --modes "$HOTPATH_MODES"
        BENCH_OUT="$BENCH_DIR/target/hotpath-ext4" "$BENCH_DIR/hotpath.sh" --fs ext4 --rounds 5 --modes "$HOTPATH_MODES"
    fi
fi

if wants footprint; then
    bench_log "exporter footprint"
    if [[ -n "$QUICK" ]]; then
        "$BENCH_DIR/footprint.sh" --duration 30 --cgroups 100 --starts 1
    else
        "$BENCH_DIR/footprint.sh" --duration 600 --cgroups 1000 --starts 7
    fi
fi
