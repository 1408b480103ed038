#!/usr/bin/env bash
# Exporter footprint: resident memory and CPU time over a long run with 1,000 active cgroups scraped every 5 s,
# and the time from process start to the first complete scrape, for several JVM flag sets side by
# side (same cgroups, same scrapes, same time).
#
#   sudo benchmarks/footprint.sh [--duration SECONDS] [--cgroups N] [--interval SECONDS] [--starts N] [--only rss|start]
#                                [--variants NAME,NAME,...] [--before-jar JAR] [--before-dockerfile FILE] [--pods P]
#
# A variant's name says its flags: "jvm-defaults" (java -jar, nothing else), or "image" (deploy/Dockerfile's
# flags and environment) followed by "-xmxN" (the heap set to N MiB instead), then any of "+aot" (a
# JDK 25 AOT cache from a training run), "+appcds" (an AppCDS archive from a training run), "+coh"
# (-XX:+UseCompactObjectHeaders), "+noshare" (-Xshare:off: no CDS archive), "+opt:FLAG" (any one JVM flag without
# a comma or a plus, e.g. +opt:-Xmn3m), "+before" (runs --before-jar
# instead of this build's jar: an exporter built from an earlier commit, for a before/after comparison on the
# same cgroups; with --before-dockerfile, with the flags of that commit's deploy/Dockerfile). Start-time ratios are taken against the "image" variant, which is
# always run. The default set is DEFAULT_VARIANTS below.
#
# --pods P turns Kubernetes resolution on in every variant, against one stand-in API server listing P pods of
# this node (src/main/python/fake_kube_api.py, as heap-floor.sh), and waits for the informer to sync.
#
# Needs the exporter jar (benchmarks/run.sh builds it: ./mvnw -pl examples/exporter -am package).
# Results: benchmarks/target/footprint/{rss.csv,cpu.csv,starts.csv,summary.txt}. Leaves no cgroup, process
# or file outside target/ behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DURATION=600
CGROUPS=1000
INTERVAL=5
STARTS=5
ONLY=""
DEFAULT_VARIANTS="jvm-defaults,image,image-xmx32,image-xmx24,image+aot"
VARIANT_NAMES="$DEFAULT_VARIANTS"
BEFORE_JAR=""
BEFORE_DOCKERFILE=""
PODS=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) DURATION="$2"; shift 2 ;;
        --cgroups) CGROUPS="$2"; shift 2 ;;
        --interval) INTERVAL="$2"; shift 2 ;;
        --starts) STARTS="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --variants) VARIANT_NAMES="$2"; shift 2 ;;
        --before-jar) BEFORE_JAR="$(realpath "$2")"; shift 2 ;;
        --before-dockerfile) BEFORE_DOCKERFILE="$(realpath "$2")"; shift 2 ;;
        --pods) PODS="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
bench_require_exporter
bench_build_native churn

OUT="$BENCH_DIR/target/footprint"
mkdir -p "$OUT"
rm -f "$OUT/starts.csv" "$OUT/rss.csv" "$OUT"/heap-*.txt
CG_PARENT="$(bench_cgroup_base)/dwbench-footprint-$$"
SHM_DIR="/dev/shm/dwbench-footprint-$$"
PIDS=()
CHURN_PID=""
API_PID=""
API_PORT=19291

cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do bench_stop "$pid"; done
    [[ -n "$CHURN_PID" ]] && bench_stop "$CHURN_PID"
    [[ -n "$API_PID" ]] && bench_stop "$API_PID"
    bench_remove_cgroups "$CG_PARENT"
    rm -rf "$SHM_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IMAGE_FLAGS="$(bench_image_flags)"
BEFORE_FLAGS="$IMAGE_FLAGS"
[[ -z "$BEFORE_DOCKERFILE" ]] || BEFORE_FLAGS="$(bench_image_flags "$BEFORE_DOCKERFILE")"
IMAGE_ENV="$(bench_image_env)"
BEFORE_ENV="$IMAGE_ENV"
[[ -z "$BEFORE_DOCKERFILE" ]] || BEFORE_ENV="$(bench_image_env "$BEFORE_DOCKERFILE")"
K8S_ENV=""
if [[ -n "$PODS" ]]; then
    python3 "$BENCH_DIR/src/main/python/fake_kube_api.py" "$API_PORT" "$PODS" bench-node >"$OUT/api.log" 2>&1 &
    API_PID=$!
    K8S_ENV="KUBERNETES_RESOLUTION=on NODE_NAME=bench-node KUBERNETES_SERVICE_HOST=127.0.0.1"
    K8S_ENV+=" KUBERNETES_API=http://127.0.0.1:$API_PORT"
    # the same for a --before-jar built before the pod watch of its own (4 December 2026), whose fabric8 client reads these
    K8S_ENV+=" KUBERNETES_MASTER=http://127.0.0.1:$API_PORT KUBERNETES_AUTH_TRYKUBECONFIG=false KUBERNETES_AUTH_TRYSERVICEACCOUNT=false"
fi
AOT="$OUT/exporter.aot"
CDS="$OUT/exporter.jsa"

# variant NAME: prints "name|environment|JVM flags|jar" for a variant name (see the top); fails on a bad name.
# The image's environment is deploy/Dockerfile's ENV (malloc settings); "+before" takes the before Dockerfile's.
variant() {
    local name="$1" rest flags n environment
    local jar="$EXPORTER_JAR"
    [[ "$name" == jvm-defaults ]] && { echo "jvm-defaults|||$jar"; return; }
    [[ "$name" == image* ]] || return 1
    rest="${name#image}"
    flags="$IMAGE_FLAGS"
    [[ "$rest" != *+before* ]] || flags="$BEFORE_FLAGS"
    if [[ "$rest" =~ ^-xmx([0-9]+)(.*)$ ]]; then
        n="${BASH_REMATCH[1]}"
        rest="${BASH_REMATCH[2]}"
        flags="$(sed -E "s/-Xmx[0-9]+[kKmMgG]?/-Xmx${n}m/" <<<"$flags")"
        # an initial heap above the maximum is an error
        if [[ "$flags" =~ -Xms([0-9]+)m ]] && ((BASH_REMATCH[1] > n)); then flags="${flags/-Xms${BASH_REMATCH[1]}m/-Xms${n}m}"; fi
    fi
    while [[ -n "$rest" ]]; do
        case "$rest" in
            +aot*) flags+=" -XX:AOTCache=$AOT"; rest="${rest#+aot}" ;;
            +appcds*) flags+=" -XX:SharedArchiveFile=$CDS"; rest="${rest#+appcds}" ;;
            +coh*) flags+=" -XX:+UseCompactObjectHeaders"; rest="${rest#+coh}" ;;
            +noshare*) flags+=" -Xshare:off"; rest="${rest#+noshare}" ;;
            +opt:*) rest="${rest#+opt:}"; flags+=" ${rest%%+*}"; rest="${rest#"${rest%%+*}"}" ;;
            +before*) [[ -f "$BEFORE_JAR" ]] || return 1; jar="$BEFORE_JAR"; rest="${rest#+before}" ;;
            *) return 1 ;;
        esac
    done
    environment="$IMAGE_ENV"
    [[ "$name" != *+before* ]] || environment="$BEFORE_ENV"
    echo "$name|$environment${K8S_ENV:+ $K8S_ENV}|$flags|$jar"
}

VARIANTS=()
[[ ",$VARIANT_NAMES," == *,image,* ]] || VARIANT_NAMES="image,$VARIANT_NAMES"
IFS=',' read -ra names <<<"$VARIANT_NAMES"
for name in "${names[@]}"; do
    VARIANTS+=("$(variant "$name")") || { echo "unknown variant $name (or +before without --before-jar)" >&2; exit 2; }
done

# start_exporter PORT ENV FLAGS LOG [JAR]: starts the jar in the background; sets STARTED_PID.
start_exporter() {
    local port="$1" env="$2" flags="$3" log="$4" jar="${5:-$EXPORTER_JAR}"
    # shellcheck disable=SC2086
    env $env "$JAVA" $flags -jar "$jar" --metrics-port="$port" --metrics-address=127.0.0.1 \
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
    echo "image environment (deploy/Dockerfile): $IMAGE_ENV"
    [[ -z "$BEFORE_DOCKERFILE" ]] || echo "before flags ($BEFORE_DOCKERFILE): $BEFORE_FLAGS"
    if [[ -n "$PODS" ]]; then
        sleep 1
        echo "Kubernetes resolution: on, against $(cat "$OUT/api.log")"
    else
        echo "Kubernetes resolution: off"
    fi
    printf 'variant %s\n' "${VARIANTS[@]}"
} >"$OUT/summary.txt"

# Training runs for the AOT cache (JDK 25, JEP 514/515) and an AppCDS archive: start, scrape 3 times, stop.
train() {
    local name="$1" flags="$2" port=19190 f="$OUT/train.metrics" i
    bench_log "training run for $name"
    # shellcheck disable=SC2086
    start_exporter "$port" "$IMAGE_ENV" "$IMAGE_FLAGS $flags" "$OUT/train-$name.log"
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
if [[ "$VARIANT_NAMES" == *+aot* ]]; then
    train aot "-XX:AOTCacheOutput=$AOT"
    ls -l "$AOT" >>"$OUT/summary.txt"
fi
if [[ "$VARIANT_NAMES" == *+appcds* ]]; then
    train appcds "-XX:ArchiveClassesAtExit=$CDS"
    ls -l "$CDS" >>"$OUT/summary.txt"
fi

# ---- time from start to the first complete scrape: each variant once per round, rounds interleaved ----
if [[ "$ONLY" != rss ]]; then
    echo "round,variant,first_scrape_ms,rss_kib_at_first_scrape" >"$OUT/starts.csv"
    for ((round = 1; round <= STARTS; round++)); do
        for v in "${VARIANTS[@]}"; do
            IFS='|' read -r name env flags jar <<<"$v"
            port=19180
            f="$OUT/start.metrics"
            rm -f "$f"
            t0=$(date +%s%N)
            start_exporter "$port" "$env" "$flags" "$OUT/start-$name.log" "$jar"
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
    echo "elapsed_s,variant,rss_kib,scrape_ms,alloc_series,rss_anon_kib,rss_file_kib,hwm_kib" >"$OUT/rss.csv"
    PIDS=()
    NAMES=()
    PORTS=()
    port=19200
    for v in "${VARIANTS[@]}"; do
        IFS='|' read -r name env flags jar <<<"$v"
        start_exporter "$port" "$env" "$flags" "$OUT/rss-$name.log" "$jar"
        PIDS+=("$STARTED_PID")
        NAMES+=("$name")
        PORTS+=("$port")
        port=$((port + 1))
    done
    for i in "${!PIDS[@]}"; do
        for ((w = 0; w < 600; w++)); do
            kill -0 "${PIDS[$i]}" 2>/dev/null || break
            if curl -sf -m 2 -o "$OUT/rss.metrics" "http://127.0.0.1:${PORTS[$i]}/metrics" 2>/dev/null \
                && complete "$OUT/rss.metrics" && { [[ -z "$PODS" ]] \
                || [[ "$(curl -sf -m 2 "http://127.0.0.1:${PORTS[$i]}/healthz" 2>/dev/null)" == *"kubernetes: SYNCED"* ]]; }; then break; fi
            sleep 0.1
        done
    done
    bench_log "running ${#PIDS[@]} exporters for ${DURATION}s, a scrape each every ${INTERVAL}s"
    # CPU over the run (start-up excluded): what a flag that trades memory for work costs
    CPU_START=()
    for i in "${!PIDS[@]}"; do CPU_START+=("$(bench_cpu_ms "${PIDS[$i]}")"); done
    start=$(date +%s)
    while :; do
        now=$(date +%s)
        elapsed=$((now - start))
        for i in "${!PIDS[@]}"; do
            r=$(scrape "${PORTS[$i]}" "$OUT/rss.metrics" || echo "failed 0")
            anon=$(awk '/^RssAnon:/ {print $2}' "/proc/${PIDS[$i]}/status" 2>/dev/null || true)
            file=$(awk '/^RssFile:/ {a = $2} /^RssShmem:/ {b = $2} END {print a + b}' "/proc/${PIDS[$i]}/status" 2>/dev/null || true)
            # VmHWM: the peak RSS since the process started, between scrapes and before the first one too
            hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/${PIDS[$i]}/status" 2>/dev/null || true)
            echo "$elapsed,${NAMES[$i]},$(bench_rss_kib "${PIDS[$i]}"),${r// /,},$anon,$file,$hwm" >>"$OUT/rss.csv"
        done
        ((elapsed >= DURATION)) && break
        sleep $((INTERVAL - ($(date +%s) - now) > 0 ? INTERVAL - ($(date +%s) - now) : 0))
    done
    echo "variant,cpu_ms,seconds" >"$OUT/cpu.csv"
    for i in "${!PIDS[@]}"; do
        end_ms=$(bench_cpu_ms "${PIDS[$i]}")
        [[ -z "$end_ms" ]] || echo "${NAMES[$i]},$((end_ms - CPU_START[i])),$elapsed" >>"$OUT/cpu.csv"
    done
    # where the memory goes: the JVM's own accounting (no NMT: committed heap, metaspace, code), for every
    # variant still running; the metaspace and smaps for the image
    for i in "${!PIDS[@]}"; do
        kill -0 "${PIDS[$i]}" 2>/dev/null || continue
        "$JAVA_HOME/bin/jcmd" "${PIDS[$i]}" GC.heap_info >"$OUT/heap-${NAMES[$i]}.txt" 2>&1 || true
        if [[ "${NAMES[$i]}" == image ]]; then
            "$JAVA_HOME/bin/jcmd" "${PIDS[$i]}" VM.metaspace >"$OUT/metaspace-image.txt" 2>&1 || true
            # what the live heap is (a full GC, after the last RSS reading)
            "$JAVA_HOME/bin/jcmd" "${PIDS[$i]}" GC.class_histogram 2>&1 | head -40 >"$OUT/histogram-image.txt" || true
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
        echo "VmRSS (MiB) at the last scrape (t=${DURATION}s), the max at a scrape and the peak (VmHWM, between scrapes and"
        echo "before the first too); last scrape time and dentry_alloc_total series"
        last=$(tail -1 "$OUT/rss.csv" | cut -d, -f1)
        for v in "${VARIANTS[@]}"; do
            name="${v%%|*}"
            # CPU over the run, all threads (cpu.csv: variant,cpu_ms,seconds)
            cpu="$(awk -F, -v n="$name" '$1 == n {print $2 "," $3}' "$OUT/cpu.csv")"
            awk -F, -v n="$name" -v last="$last" -v cpu_ms="${cpu%,*}" -v cpu_s="${cpu#*,}" '$2 == n {
                    if ($3 > max) max = $3
                    if ($8 > hwm) hwm = $8
                    if ($1 == last) { rss = $3; ms = $4; series = $5; anon = $6; file = $7 }
                    count++; if ($4 == "failed") failed++ }
                END { printf "  %-18s last %.1f (anon %.1f, file %.1f)  max %.1f  peak %.1f  scrape %s ms  series %s  scrapes %d (failed %d)",
                      n, rss / 1024, anon / 1024, file / 1024, max / 1024, hwm / 1024, ms, series, count, failed
                      if (cpu_s > 0) printf "  cpu %.1f s (%.1f ms a scrape, %.2f%% of a CPU)", cpu_ms / 1000, cpu_ms / count, cpu_ms / cpu_s / 10
                      printf "\n" }' "$OUT/rss.csv"
        done
    fi
} | tee -a "$OUT/summary.txt"
