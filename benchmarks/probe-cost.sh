#!/usr/bin/env bash
# Where the hot-path overhead goes: the kernel's own accounting of each BPF program's runs and run
# time (kernel.bpf_stats_enabled, on for this run only, then restored) while the churn of hotpath.sh
# runs with the exporter attached, then with bpftrace.
#
#   sudo benchmarks/probe-cost.sh [--lookups N] [--creates N] [--cgroup-key auto|v2|memory]
#
# bpf_stats adds two clock reads to every BPF program run on the machine while it is on (so the
# run times include them; the counts are exact). Results: benchmarks/target/probe-cost.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOOKUPS=200000
CREATES=20000
KEY=auto
while [[ $# -gt 0 ]]; do
    case "$1" in
        --lookups) LOOKUPS="$2"; shift 2 ;;
        --creates) CREATES="$2"; shift 2 ;;
        --cgroup-key) KEY="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
bench_build_native churn
OUT="$BENCH_DIR/target/probe-cost.txt"
WORK="$BENCH_DIR/target/probe-cost-$$"
PORT=19310
PREVIOUS_STATS="$(sysctl -n kernel.bpf_stats_enabled)"
TOOL_PID=""
cleanup() {
    set +e
    [[ -n "$TOOL_PID" ]] && bench_stop "$TOOL_PID"
    sysctl -q -w kernel.bpf_stats_enabled="$PREVIOUS_STATS"
    mountpoint -q "$WORK" && umount "$WORK"
    rmdir "$WORK" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK"
mount -t tmpfs -o size=64m dwbench-probe-cost "$WORK"

# prog_stats PID: "name run_cnt run_time_ns" of the BPF programs the process holds.
prog_stats() {
    local ids
    ids=$(bpftool -j perf show | python3 -c "
import json, sys
print(' '.join(str(i['prog_id']) for i in json.load(sys.stdin) if i.get('pid') == $1))")
    for id in $ids; do
        bpftool -j prog show id "$id" | python3 -c '
import json, sys
p = json.load(sys.stdin)
print(p.get("name", "?"), p.get("run_cnt", 0), p.get("run_time_ns", 0))'
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
    join <(echo "$before" | sort) <(echo "$after" | sort) | awk -v ops=$ops '{
        runs = $4 - $2; t = $5 - $3
        if (runs > 0) printf "  %-24s %10d runs  %6.2f per churn op  %7.1f ns per run  %7.1f ns per churn op\n",
            $1, runs, runs / ops, t / runs, t / ops }'
}

sysctl -q -w kernel.bpf_stats_enabled=1
{
    echo "# BPF program run counts and times during the churn ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    bench_machine
    echo "churn: $LOOKUPS lookups of missing names + $CREATES create+unlink on tmpfs; kernel.bpf_stats_enabled=1 during the run"
    echo
    # shellcheck disable=SC2046
    env MALLOC_ARENA_MAX=2 "$JAVA" $(bench_image_flags) -jar "$EXPORTER_JAR" --metrics-port=$PORT \
        --metrics-address=127.0.0.1 --cgroup-key="$KEY" >"$BENCH_DIR/target/probe-cost-exporter.log" 2>&1 &
    TOOL_PID=$!
    until curl -sf -m 2 -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.1; done
    measure "dentrywatch (exporter, --cgroup-key=$KEY)"
    bench_stop "$TOOL_PID"
    bpftrace -e 'tracepoint:kmem:kmem_cache_alloc /str(args->name) == "dentry"/ { @alloc[cgroup] = count(); }
tracepoint:kmem:kmem_cache_free /str(args->name) == "dentry"/ { @freed = count(); }' \
        >"$BENCH_DIR/target/probe-cost-bpftrace.log" 2>&1 &
    TOOL_PID=$!
    until grep -qs '^Attaching' "$BENCH_DIR/target/probe-cost-bpftrace.log"; do sleep 0.1; done
    sleep 1
    measure "bpftrace"
    kill -INT "$TOOL_PID"
    wait "$TOOL_PID" || true
    TOOL_PID=""
} | tee "$OUT"
