#!/usr/bin/env bash
# Exporter footprint: resident memory after a long run with 1,000 active cgroups scraped every 5 s,
# and the time from process start to the first complete scrape, for several JVM flag sets side by
# side (same cgroups, same scrapes, same time).
#
#   sudo benchmarks/footprint.sh [--duration SECONDS] [--cgroups N] [--interval SECONDS] [--starts N] [--only rss|start]
#
# Needs the exporter jar (benchmarks/run.sh builds it: ./mvnw -pl examples/exporter -am package).
# Results: benchmarks/target/footprint/{rss.csv,starts.csv,summary.txt}. Leaves no cgroup, process
# or file outside target/ behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DURATION=600
CGROUPS=1000
INTERVAL=5
STARTS=5
ONLY=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) DURATION="$2"; shift 2 ;;
        --cgroups) CGROUPS="$2"; shift 2 ;;
        --interval) INTERVAL="$2"; shift 2 ;;
        --starts) STARTS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
[[ -f "$EXPORTER_JAR" ]] || { echo "no $EXPORTER_JAR: build it first (benchmarks/run.sh does)" >&2; exit 1; }
bench_build_native churn

OUT="$BENCH_DIR/target/footprint"
mkdir -p "$OUT"
rm -f "$OUT/starts.csv" "$OUT/rss.csv"
CG_PARENT="$(bench_cgroup_base)/dwbench-footprint-$$"
SHM_DIR="/dev/shm/dwbench-footprint-$$"
PIDS=()
CHURN_PID=""

cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do bench_stop "$pid"; done
    [[ -n "$CHURN_PID" ]] && bench_stop "$CHURN_PID"
    bench_remove_cgroups "$CG_PARENT"
    rm -rf "$SHM_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IMAGE_FLAGS="$(bench_image_flags)"
XMX32_FLAGS="${IMAGE_FLAGS/-Xmx48m/-Xmx32m}"
XMX24_FLAGS="${IMAGE_FLAGS/-Xmx48m/-Xmx24m}"
AOT="$OUT/exporter.aot"
CDS="$OUT/exporter.jsa"

# name|environment|JVM flags. The image's environment sets MALLOC_ARENA_MAX=2 (deploy/Dockerfile).
VARIANTS=(
    "jvm-defaults||"
    "image|MALLOC_ARENA_MAX=2|$IMAGE_FLAGS"
    "image-xmx32|MALLOC_ARENA_MAX=2|$XMX32_FLAGS"
    "image-xmx24|MALLOC_ARENA_MAX=2|$XMX24_FLAGS"
    "image+appcds|MALLOC_ARENA_MAX=2|$IMAGE_FLAGS -XX:SharedArchiveFile=$CDS"
    "image+aot|MALLOC_ARENA_MAX=2|$IMAGE_FLAGS -XX:AOTCache=$AOT"
    "image-xmx32+aot|MALLOC_ARENA_MAX=2|$XMX32_FLAGS -XX:AOTCache=$AOT"
)

# start_exporter PORT ENV FLAGS LOG: starts the jar in the background; sets STARTED_PID.
start_exporter() {
    local port="$1" env="$2" flags="$3" log="$4"
    # shellcheck disable=SC2086
    env $env "$JAVA" $flags -jar "$EXPORTER_JAR" --metrics-port="$port" --metrics-address=127.0.0.1 \
        >"$log" 2>&1 &
    STARTED_PID=$!
}

# scrape PORT FILE: one scrape; prints "milliseconds alloc_series" or fails.
scrape() {
    local port="$1" file="$2" t0 t1
    t0=$(date +%s%N)
    curl -sf -m 10 -o "$file" "http://127.0.0.1:$port/metrics" || return 1
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000000)) $(grep -c '^dentry_alloc_total{' "$file" || true)"
}

# A complete scrape: the probes are attached (mode tracepoint or better) and the per-cgroup family is
# there. (Which of the test's cgroups it holds depends on which allocated since the probes attached:
# the churn visits each every INTERVAL seconds, so that is not a start-up cost and is not waited for.)
complete() {
    grep -q '^dentry_monitor_info{.*mode="\(tracepoint\|kprobe\|fentry\)"' "$1" && grep -q '^dentry_alloc_total{' "$1"
}

bench_log "creating $CGROUPS cgroups under $CG_PARENT, kept active by churn (every ${INTERVAL}s)"
bench_make_cgroups "$CG_PARENT" "$CGROUPS" "$OUT/cgroups.txt"
mkdir -p "$SHM_DIR"
"$NATIVE_DIR/churn" cgroups "$OUT/cgroups.txt" "$SHM_DIR" 2 $((INTERVAL * 1000)) &
CHURN_PID=$!

{
    echo "# exporter footprint, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    bench_machine
    echo "cgroups: $CGROUPS under $CG_PARENT, each allocating 2 dentries every ${INTERVAL}s; scrape every ${INTERVAL}s"
    echo "image flags (deploy/Dockerfile): $IMAGE_FLAGS"
} >"$OUT/summary.txt"

# Training runs for the AOT cache (JDK 25, JEP 514/515) and an AppCDS archive: start, scrape 3 times, stop.
train() {
    local name="$1" flags="$2" port=19190 f="$OUT/train.metrics" i
    bench_log "training run for $name"
    # shellcheck disable=SC2086
    start_exporter "$port" "MALLOC_ARENA_MAX=2" "$IMAGE_FLAGS $flags" "$OUT/train-$name.log"
    local pid=$STARTED_PID
    PIDS=("$pid")
    for ((i = 0; i < 300; i++)); do
        if curl -sf -m 2 -o "$f" "http://127.0.0.1:$port/metrics" 2>/dev/null && complete "$f"; then break; fi
        sleep 0.1
    done
    for i in 1 2 3; do sleep 1.1; curl -sf -m 5 -o /dev/null "http://127.0.0.1:$port/metrics" || true; done
    bench_stop "$pid"
    PIDS=()
}
rm -f "$AOT" "$CDS"
train aot "-XX:AOTCacheOutput=$AOT"
train appcds "-XX:ArchiveClassesAtExit=$CDS"
ls -l "$AOT" "$CDS" >>"$OUT/summary.txt"

# ---- time from start to the first complete scrape: each variant once per round, rounds interleaved ----
if [[ "$ONLY" != rss ]]; then
    echo "round,variant,first_scrape_ms,rss_kib_at_first_scrape" >"$OUT/starts.csv"
    for ((round = 1; round <= STARTS; round++)); do
        for v in "${VARIANTS[@]}"; do
            IFS='|' read -r name env flags <<<"$v"
            port=19180
            f="$OUT/start.metrics"
            rm -f "$f"
            t0=$(date +%s%N)
            start_exporter "$port" "$env" "$flags" "$OUT/start-$name.log"
            pid=$STARTED_PID
            PIDS=("$pid")
            ms=""
            while kill -0 "$pid" 2>/dev/null; do
                if curl -sf -m 2 -o "$f" "http://127.0.0.1:$port/metrics" 2>/dev/null && complete "$f"; then
                    ms=$((($(date +%s%N) - t0) / 1000000))
                    break
                fi
                sleep 0.02
            done
            rss=$(bench_rss_kib "$pid")
            bench_stop "$pid"
            PIDS=()
            [[ -n "$ms" ]] || ms="failed: $(grep -m1 -o 'OutOfMemoryError.*\|Exception.*' "$OUT/start-$name.log" || echo exited)"
            echo "$round,$name,$ms,$rss" >>"$OUT/starts.csv"
            bench_log "start round $round $name: ${ms:-failed} ms to the first complete scrape"
        done
    done
fi

# ---- RSS: every variant at once, scraped every INTERVAL seconds for DURATION seconds ----
if [[ "$ONLY" != start ]]; then
    echo "elapsed_s,variant,rss_kib,scrape_ms,alloc_series,rss_anon_kib,rss_file_kib" >"$OUT/rss.csv"
    PIDS=()
    NAMES=()
    PORTS=()
    port=19200
    for v in "${VARIANTS[@]}"; do
        IFS='|' read -r name env flags <<<"$v"
        start_exporter "$port" "$env" "$flags" "$OUT/rss-$name.log"
        PIDS+=("$STARTED_PID")
        NAMES+=("$name")
        PORTS+=("$port")
        port=$((port + 1))
    done
    for i in "${!PIDS[@]}"; do
        for ((w = 0; w < 600; w++)); do
            kill -0 "${PIDS[$i]}" 2>/dev/null || break
            if curl -sf -m 2 -o "$OUT/rss.metrics" "http://127.0.0.1:${PORTS[$i]}/metrics" 2>/dev/null \
                && complete "$OUT/rss.metrics"; then break; fi
            sleep 0.1
        done
    done
    bench_log "running ${#PIDS[@]} exporters for ${DURATION}s, a scrape each every ${INTERVAL}s"
    start=$(date +%s)
    while :; do
        now=$(date +%s)
        elapsed=$((now - start))
        for i in "${!PIDS[@]}"; do
            r=$(scrape "${PORTS[$i]}" "$OUT/rss.metrics" || echo "failed 0")
            anon=$(awk '/^RssAnon:/ {print $2}' "/proc/${PIDS[$i]}/status" 2>/dev/null || true)
            file=$(awk '/^RssFile:/ {a = $2} /^RssShmem:/ {b = $2} END {print a + b}' "/proc/${PIDS[$i]}/status" 2>/dev/null || true)
            echo "$elapsed,${NAMES[$i]},$(bench_rss_kib "${PIDS[$i]}"),${r// /,},$anon,$file" >>"$OUT/rss.csv"
        done
        ((elapsed >= DURATION)) && break
        sleep $((INTERVAL - ($(date +%s) - now) > 0 ? INTERVAL - ($(date +%s) - now) : 0))
    done
    # where the memory goes, for one variant: the JVM's own accounting (no NMT: committed heap, metaspace, code)
    for i in "${!PIDS[@]}"; do
        if [[ "${NAMES[$i]}" == image ]]; then
            "$JAVA_HOME/bin/jcmd" "${PIDS[$i]}" GC.heap_info >"$OUT/heap-image.txt" 2>&1 || true
            "$JAVA_HOME/bin/jcmd" "${PIDS[$i]}" VM.metaspace >"$OUT/metaspace-image.txt" 2>&1 || true
            grep -E 'Rss|Pss' "/proc/${PIDS[$i]}/smaps_rollup" >"$OUT/smaps-image.txt" 2>&1 || true
        fi
    done
fi

# ---- summary ----
{
    if [[ -s "$OUT/starts.csv" ]]; then
        echo
        echo "start to first complete scrape (ms): median min max over $STARTS interleaved rounds;"
        echo "per round, the time over the same round's 'image' time: median min max"
        for v in "${VARIANTS[@]}"; do
            name="${v%%|*}"
            printf '  %-18s %-16s ratio %s %s\n' "$name" \
                "$(awk -F, -v n="$name" '$2 == n && $3 !~ /failed/ {print $3}' "$OUT/starts.csv" | bench_stats)" \
                "$(awk -F, -v n="$name" '$2 == "image" && $3 !~ /failed/ {b[$1] = $3} $2 == n && $3 !~ /failed/ {t[$1] = $3}
                    END {for (r in t) if (r in b) printf "%.3f\n", t[r] / b[r]}' "$OUT/starts.csv" | bench_stats)" \
                "$(awk -F, -v n="$name" '$2 == n && $3 ~ /failed/ {f++; why = $3} END {if (f) print "(" f " failed: " why ")"}' "$OUT/starts.csv")"
        done
    fi
    if [[ -s "$OUT/rss.csv" ]]; then
        echo
        echo "VmRSS (MiB) at the last scrape (t=${DURATION}s) and the max over the run; last scrape time and dentry_alloc_total series"
        last=$(tail -1 "$OUT/rss.csv" | cut -d, -f1)
        for v in "${VARIANTS[@]}"; do
            name="${v%%|*}"
            awk -F, -v n="$name" -v last="$last" '$2 == n {
                    if ($3 > max) max = $3
                    if ($1 == last) { rss = $3; ms = $4; series = $5; anon = $6; file = $7 }
                    count++; if ($4 == "failed") failed++ }
                END { printf "  %-18s last %.1f (anon %.1f, file %.1f)  max %.1f  scrape %s ms  series %s  scrapes %d (failed %d)\n",
                      n, rss / 1024, anon / 1024, file / 1024, max / 1024, ms, series, count, failed }' "$OUT/rss.csv"
        done
    fi
} | tee -a "$OUT/summary.txt"
