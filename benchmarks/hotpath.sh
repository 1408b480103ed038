#!/usr/bin/env bash
# Hot-path overhead: a fixed dentry churn timed with no probes, with the dentrywatch exporter attached
# (scraped every 5 s, as deployed), and with bpftrace counting the same events per cgroup — modes
# interleaved round by round (the order rotating) so that drift on a shared machine hits all alike.
#
#   sudo benchmarks/hotpath.sh [--rounds N] [--lookups N] [--creates N] [--fs tmpfs|ext4]
#                              [--modes baseline,dentrywatch,dentrywatch-v2,bpftrace] [--scrape-interval SECONDS]
#
# The exporter is scraped every 5 s while the churn runs, as deployed; --scrape-interval 0 leaves it
# unscraped (probes only: in a TCG guest, whose vCPUs share one host thread, the scrapes' CPU time
# lands on the churn).
#
# Modes: baseline (no probes); dentrywatch (the exporter, attach mode and cgroup key auto);
# dentrywatch-v2 (counting by v2 cgroup, as bpftrace's "cgroup" builtin); dentrywatch-fentry,
# dentrywatch-kprobe, dentrywatch-tracepoint (attach mode forced); dentrywatch-none (the control: the
# same JVM, started and scraped alike, with no probe: what the process costs the churn besides its
# probes — in a TCG guest, whose vCPUs share one host thread, that is not nothing); floor (programs that
# do nothing on the two slab tracepoints tracepoint mode hooks: what any program there costs before it
# counts; src/main/bpf/floor.bpf.c, attached by src/main/c/attach.c); programs-btf, programs-raw
# (dentry.bpf.o's tracepoint-mode programs by memory cgroup, tp_btf or raw, attached by the same
# loader: the probes without the exporter process; they count, nobody reads); programs-fentry,
# programs-kprobe (the same for its dentry hooks of those modes, by v2 cgroup); bpftrace (slab tracepoints filtered
# by the cache name, 6.2+ kernels); bpftrace-kfunc, bpftrace-kprobe (the return of __d_alloc and
# dentry_free, as fentry and kprobe hooks: the events dentrywatch's alloc and free hooks see in those
# modes, where dentrywatch also hooks the positive/negative transitions); bpftrace-kfunc-full,
# bpftrace-kprobe-full (every per-cgroup counter of those modes, on the same functions).
#
# The churn (src/main/c/churn.c "hot"): LOOKUPS stat() of distinct missing names, then CREATES
# create + unlink, in a fresh directory (a private tmpfs mount, or an ext4 directory under target/);
# each allocates a dentry (on tmpfs each is also freed at once). The time is the churn's own
# (CLOCK_MONOTONIC around its loops). Results: benchmarks/target/hotpath/{runs.csv,summary.txt}.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=7
LOOKUPS=2000000
CREATES=200000
FS=tmpfs
MODES="baseline,dentrywatch,dentrywatch-v2,bpftrace"
SCRAPE_INTERVAL=5
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --lookups) LOOKUPS="$2"; shift 2 ;;
        --creates) CREATES="$2"; shift 2 ;;
        --fs) FS="$2"; shift 2 ;;
        --modes) MODES="$2"; shift 2 ;;
        --scrape-interval) SCRAPE_INTERVAL="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
IFS=, read -r -a MODE_LIST <<<"$MODES"
for m in "${MODE_LIST[@]}"; do
    case "$m" in
        baseline) ;;
        dentrywatch*) bench_require_exporter ;;
        bpftrace*) command -v bpftrace >/dev/null || { echo "bpftrace is not installed (apt-get install bpftrace)" >&2; exit 1; } ;;
        floor) ;;
        programs-*) [[ -f "$DENTRY_BPF_OBJECT" ]] || { echo "no $DENTRY_BPF_OBJECT: build dentry-bpf first" >&2; exit 1; } ;;
        *) echo "unknown mode $m" >&2; exit 2 ;;
    esac
done
[[ -x "$NATIVE_DIR/churn" && "$NATIVE_DIR/churn" -nt "$BENCH_DIR/src/main/c/churn.c" ]] || bench_build_native churn
if [[ ",$MODES," == *,floor,* ]]; then
    [[ -f "$NATIVE_DIR/floor.bpf.o" && "$NATIVE_DIR/floor.bpf.o" -nt "$BENCH_DIR/src/main/bpf/floor.bpf.c" ]] || bench_build_bpf floor
fi

OUT="${BENCH_OUT:-$BENCH_DIR/target/hotpath}"
mkdir -p "$OUT"
WORK="$OUT/work-$$"
mkdir -p "$WORK"
MOUNTED=""
TOOL_PID=""
SCRAPER_PID=""
PORT=19300

cleanup() {
    set +e
    [[ -n "$SCRAPER_PID" ]] && kill "$SCRAPER_PID" 2>/dev/null && wait "$SCRAPER_PID" 2>/dev/null
    [[ -n "$TOOL_PID" ]] && bench_stop "$TOOL_PID"
    [[ -n "$MOUNTED" ]] && umount "$MOUNTED"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "$FS" == tmpfs ]]; then
    mkdir -p "$WORK/fs"
    mount -t tmpfs -o size=64m dwbench-hotpath "$WORK/fs"
    MOUNTED="$WORK/fs"
elif [[ "$FS" == ext4 ]]; then
    mkdir -p "$WORK/fs"
    [[ "$(findmnt -no FSTYPE -T "$WORK/fs")" == ext4 ]] || echo "note: $WORK/fs is not on ext4" >&2
else
    echo "--fs tmpfs or ext4" >&2
    exit 2
fi

# start_tool MODE ROUND: starts the mode's probes and waits until they are attached.
start_tool() {
    local mode="$1" i
    TOOL_LOG="$OUT/tool-$mode-$2.log"
    case "$mode" in
        baseline) TOOL_PID="" ;;
        dentrywatch*)
            local key=auto attach=auto
            case "$mode" in
                dentrywatch-v2) key=v2 ;;
                dentrywatch-fentry | dentrywatch-kprobe | dentrywatch-tracepoint | dentrywatch-none) attach="${mode#dentrywatch-}" ;;
            esac
            # shellcheck disable=SC2046
            env $(bench_image_env) "$JAVA" $(bench_image_flags) -jar "$EXPORTER_JAR" --metrics-port=$PORT \
                --metrics-address=127.0.0.1 --attach-mode=$attach --cgroup-key=$key >"$TOOL_LOG" 2>&1 &
            TOOL_PID=$!
            for ((i = 0; ; i++)); do
                curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
                kill -0 "$TOOL_PID" 2>/dev/null || { cat "$TOOL_LOG" >&2; exit 1; }
                ((i < 3000)) || { echo "the exporter is not ready after 5 minutes" >&2; exit 1; }
                sleep 0.1
            done
            if ((SCRAPE_INTERVAL > 0)); then
                (while sleep "$SCRAPE_INTERVAL"; do curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/metrics"; done) &
                SCRAPER_PID=$!
            fi
            ;;
        floor | programs-*)
            # shellcheck disable=SC2046
            bench_attach "$TOOL_LOG" $(bench_attach_args "$mode")
            ;;
        bpftrace*)
            bpftrace -e "$(bench_bpftrace_prog "$mode")" >"$TOOL_LOG" 2>&1 &
            TOOL_PID=$!
            for ((i = 0; ; i++)); do
                grep -qs '^Attaching' "$TOOL_LOG" && break
                kill -0 "$TOOL_PID" 2>/dev/null || { cat "$TOOL_LOG" >&2; exit 1; }
                ((i < 3000)) || { echo "bpftrace has not attached after 5 minutes" >&2; exit 1; }
                sleep 0.1
            done
            sleep 0.5 # "Attaching" is printed just before the attach calls
            ;;
    esac
}

# stop_tool MODE: stops the tool and waits until it is gone (its probes detached); sets COUNTED to how
# many dentry allocations it counted in all, a check that it counted the churn. Not in a subshell:
# only this shell can wait for the tool.
stop_tool() {
    local mode="$1"
    COUNTED="-"
    case "$mode" in
        baseline) ;;
        dentrywatch*)
            if [[ -n "$SCRAPER_PID" ]]; then
                kill "$SCRAPER_PID" 2>/dev/null
                wait "$SCRAPER_PID" 2>/dev/null || true
                SCRAPER_PID=""
            fi
            sleep 1.1 # past the exporter's sample interval, so the scrape reads the kernel now
            COUNTED=$(curl -sf -m 60 "http://127.0.0.1:$PORT/metrics" | awk '/^dentry_alloc_total\{/ {s += $NF} END {printf "%d\n", s}' || echo "?")
            bench_stop "$TOOL_PID"
            ;;
        floor | programs-*)
            kill -INT "$TOOL_PID"
            wait "$TOOL_PID" 2>/dev/null || true
            COUNTED=$(sed -n 's/^counted //p' "$TOOL_LOG")
            COUNTED="${COUNTED:--}"
            ;;
        bpftrace*)
            kill -INT "$TOOL_PID"
            wait "$TOOL_PID" 2>/dev/null || true
            COUNTED=$(awk -F': ' '/^@alloc\[/ {s += $2} END {printf "%d\n", s}' "$TOOL_LOG")
            ;;
    esac
    TOOL_PID=""
}

{
    echo "# hot-path overhead, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    bench_machine
    echo "churn: $LOOKUPS lookups of missing names + $CREATES create+unlink on $FS; $ROUNDS rounds of: ${MODE_LIST[*]} (order rotating)"
    echo "dentrywatch: the exporter jar with the image's JVM flags, $( ((SCRAPE_INTERVAL > 0)) && echo "scraped every ${SCRAPE_INTERVAL} s" || echo "not scraped"); dentrywatch-v2 counts by v2 cgroup like bpftrace's 'cgroup'"
    for m in "${MODE_LIST[@]}"; do
        [[ "$m" == bpftrace* ]] && echo "$m ($(bpftrace --version 2>/dev/null)): $(bench_bpftrace_prog "$m" | tr '\n' ' ')"
    done
} >"$OUT/summary.txt"

echo "round,mode,churn_ns,counted_allocs,other_slab_probes,load1" >"$OUT/runs.csv"
n=${#MODE_LIST[@]}
for ((round = 1; round <= ROUNDS; round++)); do
    for ((k = 0; k < n; k++)); do
        mode="${MODE_LIST[$(((k + round - 1) % n))]}"
        foreign=$(bench_slab_probes) # before ours attach: anything else counting slab events
        start_tool "$mode" "$round"
        dir="$WORK/fs/run-$round-$k"
        mkdir "$dir"
        sync
        ns=$("$NATIVE_DIR/churn" hot "$dir" "$LOOKUPS" "$CREATES" | sed -n 's/^ns=\([0-9]*\).*/\1/p')
        stop_tool "$mode"
        counted="$COUNTED"
        sleep 1 # the tool's detach settles (kprobes are unoptimized by deferred work) before the next run
        rm -rf "$dir"
        load=$(cut -d' ' -f1 /proc/loadavg)
        echo "$round,$mode,$ns,$counted,$foreign,$load" >>"$OUT/runs.csv"
        bench_log "round $round $mode: $((ns / 1000000)) ms (counted $counted allocations; other slab probes $foreign; load $load)"
    done
done

# Per round, each mode's time over that round's baseline; then median and range over the rounds.
{
    echo
    echo "churn time (ms): median [min-max] over $ROUNDS rounds; ratio to the same round's baseline: median [min-max]"
    for mode in "${MODE_LIST[@]}"; do
        ms=$(awk -F, -v m="$mode" '$2 == m {print $3 / 1e6}' "$OUT/runs.csv" | bench_stats)
        ratio="-"
        if [[ "$mode" != baseline ]] && grep -q ',baseline,' "$OUT/runs.csv"; then
            ratio=$(awk -F, -v m="$mode" '$2 == "baseline" {b[$1] = $3} $2 == m {t[$1] = $3}
                END {for (r in t) if (r in b) print t[r] / b[r]}' "$OUT/runs.csv" | bench_stats)
        fi
        printf '  %-15s %s   ratio %s\n' "$mode" "$ms" "$ratio"
    done
    # the control: the same exporter process without probes; each probing mode over it, per round
    if grep -q ',dentrywatch-none,' "$OUT/runs.csv"; then
        for mode in "${MODE_LIST[@]}"; do
            [[ "$mode" == dentrywatch* && "$mode" != dentrywatch-none ]] || continue
            echo "$mode / dentrywatch-none (the probes without the process) per round: $(awk -F, -v m="$mode" '
                $2 == "dentrywatch-none" {z[$1] = $3} $2 == m {t[$1] = $3}
                END {for (r in t) if (r in z) print t[r] / z[r]}' "$OUT/runs.csv" | bench_stats)"
        done
    fi
    # each bpftrace peer against the dentrywatch mode hooking the same kind of probe
    for pair in bpftrace:dentrywatch bpftrace-kfunc:dentrywatch-fentry bpftrace-kprobe:dentrywatch-kprobe \
        bpftrace-kfunc-full:dentrywatch-fentry bpftrace-kprobe-full:dentrywatch-kprobe bpftrace:programs-btf \
        bpftrace-kfunc-full:programs-fentry bpftrace-kprobe-full:programs-kprobe programs-raw:programs-btf; do
        bt="${pair%%:*}" dw="${pair#*:}"
        grep -q ",$bt," "$OUT/runs.csv" && grep -q ",$dw," "$OUT/runs.csv" || continue
        echo "$bt / $dw per round: $(awk -F, -v bt="$bt" -v dw="$dw" '$2 == dw {d[$1] = $3} $2 == bt {b[$1] = $3}
            END {for (r in b) if (r in d) print b[r] / d[r]}' "$OUT/runs.csv" | bench_stats)"
        echo "  probe cost (time over the round's baseline) of $bt / of $dw: $(awk -F, -v bt="$bt" -v dw="$dw" '
            $2 == "baseline" {z[$1] = $3} $2 == dw {d[$1] = $3} $2 == bt {b[$1] = $3}
            END {for (r in b) if ((r in d) && (r in z) && d[r] > z[r]) print (b[r] - z[r]) / (d[r] - z[r])}' "$OUT/runs.csv" | bench_stats)"
    done
} | tee -a "$OUT/summary.txt"
