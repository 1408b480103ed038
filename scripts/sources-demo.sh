#!/usr/bin/env bash
# Where negative dentries come from, end to end on this machine (root, a kernel with fentry or kprobes, cgroup v2
# at /sys/fs/cgroup or /sys/fs/cgroup/unified): starts the exporter jar with NEGATIVE_SOURCES=10, makes a cgroup
# look up 5,000 missing names in $TMPDIR/…/beta, then 40,000 in …/alpha (TMPDIR must be a disk file system: tmpfs
# drops negative dentries at once), then shows /sources (text and JSON) and scripts/dentrywatch-top.sh in a
# tmux pane during the churn (capture-pane), and fails unless both name the alpha directory first (/sources:
# the cgroup's first row).
#
#   scripts/sources-demo.sh [ATTACH_MODE]     (default auto; the kernel matrix's guests: fentry or kprobe)
#   scripts/vmtest/run-in-vm.sh 6.1 300 -- scripts/sources-demo.sh fentry
#
# Build the jar first: ./mvnw -B -o -q package -DskipTests -pl examples/exporter -am
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-auto}
jar=${SOURCES_DEMO_JAR:-examples/exporter/target/dentrywatch-exporter.jar}
java=${VMTEST_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
[[ -f $jar ]] || { echo "sources-demo: no $jar; build it first" >&2; exit 1; }
cg=/sys/fs/cgroup
[[ -f $cg/cgroup.procs && $(stat -f -c %T $cg) == cgroup2fs ]] || cg=/sys/fs/cgroup/unified
port=19411
export TMUX_TMPDIR=${TMPDIR:-/tmp} # the guests' /tmp may be read-only
work=$(mktemp -d "${TMPDIR:-/tmp}/sources-demo.XXXXXX")
group=$cg/sources-demo-$$
exporter=""
cleanup() {
  set +e
  tmux -L sources-demo kill-server 2>/dev/null
  [[ -n $exporter ]] && kill "$exporter" && wait "$exporter"
  rm -rf "$work"
  rmdir "$group" 2>/dev/null
}
trap cleanup EXIT
trap 'echo "sources-demo: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
log=${VMTEST_RESULTS:-$work}/sources-demo-exporter.log
# the kernel matrix's guests boot with loopback down
[[ $(cat /sys/class/net/lo/operstate 2>/dev/null) != down ]] || ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
echo "sources-demo: kernel $(uname -r), TMPDIR file system $(stat -f -c %T "$work"), cgroup2 at $cg"
"$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -jar "$jar" \
  --metrics-address=127.0.0.1 --metrics-port=$port --attach-mode="$mode" --cgroup-key=v2 --negative-sources=10 \
  --kubernetes-resolution=off --oom-watcher=off --sample-interval=1s >"$log" 2>&1 &
exporter=$!
for _ in $(seq 1 300); do
  curl -sf --max-time 60 -o /dev/null "http://127.0.0.1:$port/healthz" && break
  kill -0 $exporter 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.2
done
curl -sf --max-time 60 -o /dev/null "http://127.0.0.1:$port/healthz" || { cat "$log"; exit 1; }
echo "sources-demo: exporter ready after ${SECONDS}s"
mkdir "$group"
curl -sf --max-time 60 -o /dev/null "http://127.0.0.1:$port/sources" # a first reading, to measure rates from
# the operator's view first, then the churn: alpha's rate leads while it runs
tmux -L sources-demo new-session -d -s top -x 110 -y 14 "TERM=xterm scripts/dentrywatch-top.sh -n 1 -u http://127.0.0.1:$port"
bash -c "echo \$\$ > $group/cgroup.procs; cd $work && mkdir -p app/cache/alpha app/cache/beta
  cd app/cache/beta; for ((i=0;i<5000;i++)); do [ -e m\$i ]; done
  cd ../alpha; for ((i=0;i<40000;i++)); do [ -e m\$i ]; done; exit 0" &
churn=$!
screen=""
for _ in $(seq 1 120); do
  sleep 0.5
  screen=$(tmux -L sources-demo capture-pane -p -t top)
  grep -qE "^ +[1-9][0-9.]* +[0-9,]+ .*/cache/alpha" <<<"$screen" && sleep 2 && screen=$(tmux -L sources-demo capture-pane -p -t top) && break
done
wait $churn
echo "sources-demo: 45,000 lookups done after ${SECONDS}s"
echo; echo "scripts/dentrywatch-top.sh in a 110x14 tmux pane during the churn (tmux capture-pane -p):"
echo "$screen"
tmux -L sources-demo send-keys -t top q
sleep 1
echo; echo "\$ curl -s http://127.0.0.1:$port/sources"
text=$(curl -sf --max-time 60 "http://127.0.0.1:$port/sources?limit=8")
echo "$text"
echo; echo "\$ curl -s 'http://127.0.0.1:$port/sources?format=json&limit=2'"
curl -sf --max-time 60 "http://127.0.0.1:$port/sources?format=json&limit=2"
first_text=$(grep -m1 "sources-demo-$$" <<<"$text" || true)
first_top=$(grep -m1 -E "^ +[0-9.]+ +[0-9,]+ " <<<"$screen" || true)
[[ $first_text == *"sources-demo-$$"*"/cache/alpha"* ]] || { echo "sources-demo: /sources does not name alpha first: $first_text" >&2; exit 1; }
[[ $first_top == *"/cache/alpha"* ]] || { echo "sources-demo: dentrywatch-top.sh does not name alpha first: $first_top" >&2; exit 1; }
echo; echo "sources-demo: OK: /sources and dentrywatch-top.sh name .../cache/alpha first"
