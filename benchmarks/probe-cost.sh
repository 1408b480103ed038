#!/usr/bin/env bash
# Where the hot-path overhead goes: the kernel's own accounting of each BPF program's runs and run
# time (kernel.bpf_stats_enabled, on for this run only, then restored) while the churn of hotpath.sh
# runs with the exporter attached, then with bpftrace.
#
#   sudo benchmarks/probe-cost.sh [--lookups N] [--creates N] [--cgroup-key auto|v2|memory]
#                                 [--attach-mode auto|fentry|kprobe|tracepoint] [--bpftrace MODE]
#                                 [--negative-sources K]
#
# --bpftrace names one of hotpath.sh's bpftrace modes (default: bpftrace, the slab tracepoints).
# --negative-sources K runs the exporter with NEGATIVE_SOURCES=K (sources.bpf.o's programs beside dentry.bpf.o's).
# --variants also measures hotpath.sh's program-only modes (floor, programs-btf, programs-raw): the
# tracepoint programs' variants side by side, without the exporter.
# bpf_stats adds two clock reads to every BPF program run on the machine while it is on (so the
# run times include them; the counts are exact). Results: benchmarks/target/probe-cost.txt (or
# $BENCH_OUT/probe-cost.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOOKUPS=200000
CREATES=20000
KEY=auto
ATTACH=auto
BPFTRACE_MODE=bpftrace
VARIANTS=""
SOURCES=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --lookups) LOOKUPS="$2"; shift 2 ;;
        --creates) CREATES="$2"; shift 2 ;;
        --cgroup-key) KEY="$2"; shift 2 ;;
        --attach-mode) ATTACH="$2"; shift 2 ;;
        --bpftrace) BPFTRACE_MODE="$2"; shift 2 ;;
        --variants) VARIANTS=1; shift ;;
        --negative-sources) SOURCES="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
[[ -x "$NATIVE_DIR/churn" && "$NATIVE_DIR/churn" -nt "$BENCH_DIR/src/main/c/churn.c" ]] || bench_build_native churn
OUT_DIR="${BENCH_OUT:-$BENCH_DIR/target}"
mkdir -p "$OUT_DIR"
OUT="$OUT_DIR/probe-cost.txt"
WORK="$OUT_DIR/probe-cost-$$"
PORT=19310
PREVIOUS_STATS="$(sysctl -n kernel.bpf_stats_enabled)"
TOOL_PID=""
cleanup() {
    set +e
    [[ -n "$TOOL_PID" ]] && bench_stop "$TOOL_PID"
    sysctl -q -w kernel.bpf_stats_enabled="$PREVIOUS_STATS"
    mountpoint -q "$WORK" && umount "$WORK"
    rmdir "$WORK" 2>/dev/null
    rm -f "$WORK.before" "$WORK.after"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK"
mount -t tmpfs -o size=64m dwbench-probe-cost "$WORK"

# prog_stats PID: "name run_cnt run_time_ns" of the BPF programs the process holds (by the prog_id of
# its program and link file descriptors: every attach type has one).
prog_stats() {
    local id
    for id in $(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ {print $2}' | sort -un); do
        bpftool -j prog show id "$id" | python3 -c '
import json, sys
p = json.load(sys.stdin)
print(p.get("name", "?") + "#" + str(p.get("id")), p.get("run_cnt", 0), p.get("run_time_ns", 0))'
    done
}

# measure LABEL: runs the churn, prints each program's runs per churn operation and ns per run.
measure() {
    local label="$1" before after ops=$((LOOKUPS + CREATES))
    before=$(prog_stats "$TOOL_PID")
    mkdir "$WORK/$label"
    ns=$("$NATIVE_DIR/churn" hot "$WORK/$label" "$LOOKUPS" "$CREATES" | sed -n 's/^ns=\([0-9]*\).*/\1/p')
    rm -rf "${WORK:?}/$label"
    after=$(prog_stats "$TOOL_PID")
    echo "$label: churn of $ops operations in $((ns / 1000000)) ms"
    # (files, not <(...): a guest without udev has no /dev/fd)
    echo "$before" | sort >"$WORK.before"
    echo "$after" | sort >"$WORK.after"
    join "$WORK.before" "$WORK.after" | awk -v ops=$ops '{
        runs = $4 - $2; t = $5 - $3
        if (runs > 0) printf "  %-30s %10d runs  %6.2f per churn op  %7.1f ns per run  %7.1f ns per churn op\n",
            $1, runs, runs / ops, t / runs, t / ops }'
}

sysctl -q -w kernel.bpf_stats_enabled=1
{
    echo "# BPF program run counts and times during the churn ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    bench_machine
    echo "churn: $LOOKUPS lookups of missing names + $CREATES create+unlink on tmpfs; kernel.bpf_stats_enabled=1 during the run"
    echo
    # shellcheck disable=SC2046
    env $(bench_image_env) "$JAVA" $(bench_image_flags) -jar "$EXPORTER_JAR" --metrics-port=$PORT \
        --metrics-address=127.0.0.1 --cgroup-key="$KEY" --attach-mode="$ATTACH" --negative-sources="$SOURCES" >"$OUT_DIR/probe-cost-exporter.log" 2>&1 &
    TOOL_PID=$!
    until curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
        kill -0 "$TOOL_PID" || { cat "$OUT_DIR/probe-cost-exporter.log"; exit 1; }
        sleep 0.1
    done
    measure "dentrywatch (exporter, --attach-mode=$ATTACH --cgroup-key=$KEY --negative-sources=$SOURCES)"
    bench_stop "$TOOL_PID"
    bpftrace -e "$(bench_bpftrace_prog "$BPFTRACE_MODE")" >"$OUT_DIR/probe-cost-bpftrace.log" 2>&1 &
    TOOL_PID=$!
    until grep -qs '^Attaching' "$OUT_DIR/probe-cost-bpftrace.log"; do
        kill -0 "$TOOL_PID" || { cat "$OUT_DIR/probe-cost-bpftrace.log"; exit 1; }
        sleep 0.1
    done
    sleep 1
    measure "$BPFTRACE_MODE"
    kill -INT "$TOOL_PID"
    wait "$TOOL_PID" || true
    TOOL_PID=""
    if [[ -n "$VARIANTS" ]]; then
        bench_build_bpf floor
        for variant in floor programs-btf programs-raw; do
            # shellcheck disable=SC2046
            bench_attach "$OUT_DIR/probe-cost-$variant.log" $(bench_attach_args "$variant")
            measure "$variant"
            kill -INT "$TOOL_PID"
            wait "$TOOL_PID" || true
            TOOL_PID=""
        done
    fi
} | tee "$OUT"
