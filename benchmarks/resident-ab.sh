#!/usr/bin/env bash
# Who holds the dentry cache, end to end: the exporter jar runs on this node; memory cgroup A looks up
# N distinct missing names on a disk file system (the negative dentries stay cached), memory cgroup B
# as many on a tmpfs (dropped at once); then /metrics is scraped. A must hold at least 95% of N in
# dentry_resident, B at most 5%; the sum of every container's dentry_resident is compared with
# node_dentry_count{type="total"} (dentries cached before the exporter started are no container's).
#
#   sudo benchmarks/resident-ab.sh [--lookups N] [--disk-dir DIR]
#
# Defaults: N = 3,000,000, the disk directory under /var/tmp. Exits non-zero if A or B is off.
# Results: benchmarks/target/resident-ab.txt (or $BENCH_OUT/resident-ab.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOOKUPS=3000000
DISK_PARENT=/var/tmp
while [[ $# -gt 0 ]]; do
    case "$1" in
        --lookups) LOOKUPS="$2"; shift 2 ;;
        --disk-dir) DISK_PARENT="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
bench_require_exporter
[[ -x "$NATIVE_DIR/churn" && "$NATIVE_DIR/churn" -nt "$BENCH_DIR/src/main/c/churn.c" ]] || bench_build_native churn
OUT_DIR="${BENCH_OUT:-$BENCH_DIR/target}"
mkdir -p "$OUT_DIR"
OUT="$OUT_DIR/resident-ab.txt"
PORT=19311
BASE="$(bench_cgroup_base)"
CG_A="$BASE/dwbench-resident-a-$$"
CG_B="$BASE/dwbench-resident-b-$$"
DISK="$DISK_PARENT/dwbench-resident-$$"
TMPFS="$OUT_DIR/resident-tmpfs-$$"
TOOL_PID=""
cleanup() {
    set +e
    [[ -n "$TOOL_PID" ]] && bench_stop "$TOOL_PID"
    mountpoint -q "$TMPFS" && umount "$TMPFS"
    rmdir "$TMPFS" 2>/dev/null
    rm -rf "$DISK"
    rmdir "$CG_A" "$CG_B" 2>/dev/null
}
trap cleanup EXIT
mkdir -p "$CG_A" "$CG_B" "$DISK" "$TMPFS"
mount -t tmpfs -o size=64m dwbench-resident "$TMPFS"
[[ "$(stat -f -c %T "$DISK")" != tmpfs ]] || { echo "$DISK is on tmpfs: pass --disk-dir on a disk file system" >&2; exit 2; }

# the container label of a cgroup outside any pod is its path under the hierarchy root
A_LABEL="${CG_A#"$BASE"}"
B_LABEL="${CG_B#"$BASE"}"
scrape() { curl -sf -m 10 "http://127.0.0.1:$PORT/metrics"; }
resident_of() { awk -v c="container=\"$1\"" '$1 ~ /^dentry_resident\{/ && index($1, c) {print $2+0}' | head -1; }

# shellcheck disable=SC2046
env $(bench_image_env) "$JAVA" $(bench_image_flags) -jar "$EXPORTER_JAR" --metrics-port=$PORT \
    --metrics-address=127.0.0.1 >"$OUT_DIR/resident-ab-exporter.log" 2>&1 &
TOOL_PID=$!
until curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/metrics"; do
    kill -0 "$TOOL_PID" || { cat "$OUT_DIR/resident-ab-exporter.log"; exit 1; }
    sleep 0.1
done
sleep 2 # the sampler takes the dentries cached before it 1 s after attaching
scrape >/dev/null

run_in() { bash -c 'echo $$ > "$1/cgroup.procs" && exec "$2" hot "$3" "$4" 0' _ "$1" "$NATIVE_DIR/churn" "$2" "$LOOKUPS"; }
{
    echo "# dentry_resident of two memory cgroups after $LOOKUPS lookups each ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    bench_machine
    echo "exporter: $EXPORTER_JAR (defaults: attach mode auto, key auto); A: $DISK ($(stat -f -c %T "$DISK")), B: tmpfs"
    echo "A: $(run_in "$CG_A" "$DISK")"
    echo "B: $(run_in "$CG_B" "$TMPFS")"
    sleep 2 # B's negatives are killed at once and freed after an RCU grace period
    metrics="$(scrape)"
    a=$(resident_of "$A_LABEL" <<<"$metrics")
    b=$(resident_of "$B_LABEL" <<<"$metrics")
    node=$(awk '$1 == "node_dentry_count{type=\"total\"}" {print $2+0}' <<<"$metrics")
    all=$(awk '$1 ~ /^dentry_resident\{/ {s += $2} END {print s+0}' <<<"$metrics")
    mode=$(grep -o 'dentry_monitor_info{[^}]*}' <<<"$metrics" | head -1)
    echo "$mode"
    echo "A (disk)  dentry_resident ${a:-absent} of $LOOKUPS: $(awk -v a="${a:-0}" -v n="$LOOKUPS" 'BEGIN {printf "%.2f%%", 100*a/n}')"
    echo "B (tmpfs) dentry_resident ${b:-absent} of $LOOKUPS: $(awk -v b="${b:-0}" -v n="$LOOKUPS" 'BEGIN {printf "%.2f%%", 100*b/n}')"
    echo "every container's dentry_resident $all, node_dentry_count{type=\"total\"} $node"
    if awk -v a="${a:-0}" -v b="${b:-0}" -v n="$LOOKUPS" 'BEGIN {exit !(a >= 0.95*n && b <= 0.05*n)}'; then
        echo "PASSED: A holds at least 95% of its lookups, B at most 5%"
    else
        echo "FAILED: A must hold at least 95% and B at most 5%"
        exit 1
    fi
} | tee "$OUT"
exit "${PIPESTATUS[0]}"
