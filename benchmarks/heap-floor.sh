#!/usr/bin/env bash
# The smallest heap the exporter survives: for each -Xmx, the image's other flags, N active cgroups, and
# optionally Kubernetes resolution against a stand-in API server listing P pods of this node
# (src/main/python/fake_kube_api.py). Per heap: whether it starts, the live heap after a full GC when
# idle, then a burst of S concurrent scrapers (half text, half OpenMetrics) for T seconds: answers,
# failures, whether it is still alive (the image exits on OutOfMemoryError), RSS, peak RSS (VmHWM) and
# the live heap after the burst.
#
#   sudo benchmarks/heap-floor.sh [--xmx 48,32,24,16] [--cgroups N] [--pods P] [--scrapers S] [--seconds T] [--before-jar JAR] [--before-dockerfile FILE]
#
# A heap written "N+before" (--xmx 48+before,48,32) runs --before-jar, an exporter built from an earlier
# commit, with that heap: a before/after comparison on the same cgroups and the same API server; with
# --before-dockerfile, with the other flags of that commit's deploy/Dockerfile.
#
# All heaps run at once on the same cgroups; the bursts hit one exporter at a time. Results:
# benchmarks/target/heap-floor/summary.txt. Leaves no cgroup, process or file outside target/ behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

XMX="48,32,24,16"
CGROUPS=1000
PODS=""
SCRAPERS=50
SECONDS_PER_BURST=20
BEFORE_JAR=""
BEFORE_DOCKERFILE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --xmx) XMX="$2"; shift 2 ;;
        --cgroups) CGROUPS="$2"; shift 2 ;;
        --pods) PODS="$2"; shift 2 ;;
        --scrapers) SCRAPERS="$2"; shift 2 ;;
        --seconds) SECONDS_PER_BURST="$2"; shift 2 ;;
        --before-jar) BEFORE_JAR="$(realpath "$2")"; shift 2 ;;
        --before-dockerfile) BEFORE_DOCKERFILE="$(realpath "$2")"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
bench_require_exporter
bench_build_native churn

OUT="$BENCH_DIR/target/heap-floor"
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/burst-*.txt
CG_PARENT="$(bench_cgroup_base)/dwbench-heapfloor-$$"
SHM_DIR="/dev/shm/dwbench-heapfloor-$$"
API_PORT=19290
PIDS=()
CHURN_PID=""
API_PID=""

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

# old-generation KiB in use after a full GC (jcmd GC.run), or "-" if the JVM is gone
live_kib() {
    "$JAVA_HOME/bin/jcmd" "$1" GC.run >/dev/null 2>&1 || { echo -; return; }
    "$JAVA_HOME/bin/jcmd" "$1" GC.heap_info 2>/dev/null | awk '/Tenured/ {gsub(/K,?/, ""); print $5}'
}

# "48" -> "48m", "48+before" -> "48m+before"
heap_label() {
    echo "${1%+before}m${1#"${1%+before}"}"
}

hwm_kib() {
    awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -
}

IMAGE_FLAGS="$(bench_image_flags)"
BEFORE_FLAGS="$IMAGE_FLAGS"
[[ -z "$BEFORE_DOCKERFILE" ]] || BEFORE_FLAGS="$(bench_image_flags "$BEFORE_DOCKERFILE")"
IMAGE_ENV="$(bench_image_env)"
BEFORE_ENV="$IMAGE_ENV"
[[ -z "$BEFORE_DOCKERFILE" ]] || BEFORE_ENV="$(bench_image_env "$BEFORE_DOCKERFILE")"
K8S_ENV=()
if [[ -n "$PODS" ]]; then
    python3 "$BENCH_DIR/src/main/python/fake_kube_api.py" "$API_PORT" "$PODS" bench-node >"$OUT/api.log" 2>&1 &
    API_PID=$!
    K8S_ENV=(KUBERNETES_RESOLUTION=on NODE_NAME=bench-node KUBERNETES_SERVICE_HOST=127.0.0.1
        "KUBERNETES_API=http://127.0.0.1:$API_PORT"
        # the same for a --before-jar built before the pod watch of its own (4 December 2026), whose fabric8 client reads these
        "KUBERNETES_MASTER=http://127.0.0.1:$API_PORT" KUBERNETES_AUTH_TRYKUBECONFIG=false
        KUBERNETES_AUTH_TRYSERVICEACCOUNT=false)
fi

bench_log "creating $CGROUPS cgroups under $CG_PARENT, kept active by churn (every 5s)"
bench_make_cgroups "$CG_PARENT" "$CGROUPS" "$OUT/cgroups.txt"
mkdir -p "$SHM_DIR"
"$NATIVE_DIR/churn" cgroups "$OUT/cgroups.txt" "$SHM_DIR" 2 5000 &
CHURN_PID=$!

{
    echo "# exporter heap floor, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    bench_machine
    echo "cgroups: $CGROUPS, each allocating 2 dentries every 5s"
    if [[ -n "$PODS" ]]; then
        sleep 1
        echo "Kubernetes resolution: on, against $(cat "$OUT/api.log")"
    else
        echo "Kubernetes resolution: off"
    fi
    echo "image flags (deploy/Dockerfile) with the -Xmx replaced: $IMAGE_FLAGS"
    echo "burst: $SCRAPERS concurrent scrapers (curl, 10 s timeout, half text, half OpenMetrics) for ${SECONDS_PER_BURST}s, one exporter at a time"
} >"$OUT/summary.txt"

IFS=',' read -ra HEAPS <<<"$XMX"
PORTS=()
port=19280
for n in "${HEAPS[@]}"; do
    jar="$EXPORTER_JAR"
    base="$IMAGE_FLAGS"
    environment="$IMAGE_ENV"
    mib="${n%+before}"
    if [[ "$n" == *+before ]]; then
        [[ -f "$BEFORE_JAR" ]] || { echo "heap $n needs --before-jar" >&2; exit 2; }
        jar="$BEFORE_JAR"
        base="$BEFORE_FLAGS"
        environment="$BEFORE_ENV"
        echo "${n}: $BEFORE_JAR${BEFORE_DOCKERFILE:+, flags of $BEFORE_DOCKERFILE: $BEFORE_FLAGS}" >>"$OUT/summary.txt"
    fi
    flags="$(sed -E "s/-Xmx[0-9]+[kKmMgG]?/-Xmx${mib}m/" <<<"$base")"
    if [[ "$flags" =~ -Xms([0-9]+)m ]] && ((BASH_REMATCH[1] > mib)); then flags="${flags/-Xms${BASH_REMATCH[1]}m/-Xms${mib}m}"; fi
    # shellcheck disable=SC2086
    env $environment "${K8S_ENV[@]}" "$JAVA" $flags -jar "$jar" --metrics-port="$port" \
        --metrics-address=127.0.0.1 >"$OUT/xmx$n.log" 2>&1 &
    PIDS+=("$!")
    PORTS+=("$port")
    port=$((port + 1))
done
# started: the probes attached (and, with pods, the informer synced) or the process gone
for i in "${!PIDS[@]}"; do
    for ((w = 0; w < 600; w++)); do
        kill -0 "${PIDS[$i]}" 2>/dev/null || break
        h="$(curl -sf -m 2 "http://127.0.0.1:${PORTS[$i]}/healthz" 2>/dev/null || true)"
        if [[ "$h" == ready:* ]] && { [[ -z "$PODS" ]] || [[ "$h" == *"kubernetes: SYNCED"* ]]; }; then break; fi
        sleep 0.1
    done
done
sleep 10 # a few samples and scrapes' worth of steady state

{
    echo
    printf '%-7s %-8s %-12s %-24s %-8s %-9s %-9s %-12s %s\n' heap started "idle live" "burst answers (failed)" alive "RSS" "peak" "burst live" "why it stopped"
    for i in "${!PIDS[@]}"; do
        pid="${PIDS[$i]}"
        n="${HEAPS[$i]}"
        if ! kill -0 "$pid" 2>/dev/null; then
            printf '%-7s %-8s %-12s %-24s %-8s %-9s %-9s %-12s %s\n' "$(heap_label "$n")" no - - - - - - \
                "$(grep -m1 -o 'OutOfMemoryError.*' "$OUT/xmx$n.log" || grep -m1 -o 'Exception.*' "$OUT/xmx$n.log" || echo exited)"
            continue
        fi
        curl -sf -m 10 -o /dev/null "http://127.0.0.1:${PORTS[$i]}/metrics" || true
        idle="$(live_kib "$pid")"
        bench_log "burst on -Xmx${n}m: $SCRAPERS scrapers for ${SECONDS_PER_BURST}s"
        # each scraper is a new shell, whose SECONDS starts at 0
        seq "$SCRAPERS" | xargs -P "$SCRAPERS" -I{} bash -c '
            end=$1 url=$2 k={}
            while ((SECONDS < end)); do
                if ((k % 2)); then h="Accept: application/openmetrics-text; version=1.0.0"; else h="Accept: text/plain"; fi
                if curl -sf -m 10 -H "$h" -o /dev/null "$url"; then echo ok; else echo failed; fi
                k=$((k + 1))
            done' _ "$SECONDS_PER_BURST" "http://127.0.0.1:${PORTS[$i]}/metrics" >"$OUT/burst-xmx$n.txt" || true
        ok=$(grep -c '^ok' "$OUT/burst-xmx$n.txt" || true)
        failed=$(grep -c '^failed' "$OUT/burst-xmx$n.txt" || true)
        if kill -0 "$pid" 2>/dev/null; then
            alive=yes
            rss="$(($(bench_rss_kib "$pid") / 1024)) MiB"
            peak="$(($(hwm_kib "$pid") / 1024)) MiB"
            after="$(live_kib "$pid") KiB"
            why=""
        else
            alive=NO
            rss=-
            peak=-
            after=-
            why="$(grep -m1 -o 'OutOfMemoryError.*' "$OUT/xmx$n.log" || echo exited)"
        fi
        printf '%-7s %-8s %-12s %-24s %-8s %-9s %-9s %-12s %s\n' "$(heap_label "$n")" yes "$idle KiB" "$ok ($failed)" "$alive" "$rss" "$peak" "$after" "$why"
    done
} | tee -a "$OUT/summary.txt"
