#!/usr/bin/env bash
# Where the exporter's memory goes: the jar run twice at the same time with the image's flags plus
# -XX:NativeMemoryTracking=summary, once with Kubernetes resolution against a stand-in API server listing
# P pods of this node (src/main/python/fake_kube_api.py) and once without, each scraped every second for
# T seconds. Then, for each: VmRSS/RssAnon/RssFile, `jcmd VM.native_memory summary`, the classes loaded
# per class loader (VM.classloader_stats), GC.heap_info, the thread list and smaps.
#
#   sudo benchmarks/nmt.sh [--jar JAR] [--dockerfile FILE] [--pods P] [--seconds T] [--out DIR]
#
# --jar and --dockerfile measure another build (an earlier commit's jar and deploy/Dockerfile). NMT itself
# costs ~1 MiB (its own line in the summary). No cgroups are made: the sampler sees the host's.
# Results: benchmarks/target/nmt/ (or --out). Leaves no process behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

JAR="$EXPORTER_JAR"
DOCKERFILE=""
PODS=110
SECONDS_TO_RUN=75
OUT="$BENCH_DIR/target/nmt"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jar) JAR="$(realpath "$2")"; shift 2 ;;
        --dockerfile) DOCKERFILE="$(realpath "$2")"; shift 2 ;;
        --pods) PODS="$2"; shift 2 ;;
        --seconds) SECONDS_TO_RUN="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
[[ -f "$JAR" ]] || { echo "no jar at $JAR" >&2; exit 2; }
mkdir -p "$OUT"
API_PORT=19391
PIDS=()
cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do bench_stop "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FLAGS="$(bench_image_flags $DOCKERFILE) -XX:NativeMemoryTracking=summary"
IMAGE_ENV="$(bench_image_env $DOCKERFILE)"
python3 "$BENCH_DIR/src/main/python/fake_kube_api.py" "$API_PORT" "$PODS" bench-node >"$OUT/api.log" 2>&1 &
PIDS+=("$!")
sleep 1
K8S_ENV=(KUBERNETES_RESOLUTION=on NODE_NAME=bench-node KUBERNETES_SERVICE_HOST=127.0.0.1
    "KUBERNETES_API=http://127.0.0.1:$API_PORT"
    # the same for a --jar built before the pod watch of its own (4 December 2026), whose fabric8 client reads these
    "KUBERNETES_MASTER=http://127.0.0.1:$API_PORT" KUBERNETES_AUTH_TRYKUBECONFIG=false
    KUBERNETES_AUTH_TRYSERVICEACCOUNT=false)
# shellcheck disable=SC2086
env $IMAGE_ENV "$JAVA" $FLAGS -jar "$JAR" --metrics-port=19301 --metrics-address=127.0.0.1 >"$OUT/off.log" 2>&1 &
OFF=$!
PIDS+=("$OFF")
# shellcheck disable=SC2086
env $IMAGE_ENV "${K8S_ENV[@]}" "$JAVA" $FLAGS -jar "$JAR" --metrics-port=19302 --metrics-address=127.0.0.1 >"$OUT/on.log" 2>&1 &
ON=$!
PIDS+=("$ON")
{
    echo "# exporter native memory, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    bench_machine
    echo "jar: $JAR"
    echo "flags: $FLAGS, environment: $IMAGE_ENV"
    echo "Kubernetes resolution (on): $(cat "$OUT/api.log")"
} >"$OUT/summary.txt"
bench_log "two exporters (Kubernetes resolution off and on, $PODS pods), a scrape each every second for ${SECONDS_TO_RUN}s"
for ((i = 0; i < SECONDS_TO_RUN; i++)); do
    curl -s -m 5 -o /dev/null http://127.0.0.1:19301/metrics || true
    curl -s -m 5 -o /dev/null http://127.0.0.1:19302/metrics || true
    sleep 1
done
echo "healthz (on): $(curl -s -m 5 http://127.0.0.1:19302/healthz | tr '\n' ' ')" >>"$OUT/summary.txt"
for run in off on; do
    pid=$OFF
    [[ $run == on ]] && pid=$ON
    {
        echo
        echo "== Kubernetes resolution $run"
        grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|Threads):' "/proc/$pid/status"
        "$JAVA_HOME/bin/jcmd" "$pid" VM.native_memory summary | grep -E '^Total|^-' | grep -E 'committed=[1-9]'
        "$JAVA_HOME/bin/jcmd" "$pid" VM.classloader_stats | grep '^Total'
        "$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | grep -E 'DefNew|Tenured'
    } >>"$OUT/summary.txt" 2>&1
    "$JAVA_HOME/bin/jcmd" "$pid" Thread.print >"$OUT/threads-$run.txt" 2>&1 || true
    cp "/proc/$pid/smaps_rollup" "$OUT/smaps_rollup-$run.txt" 2>/dev/null || true
done
cat "$OUT/summary.txt"
