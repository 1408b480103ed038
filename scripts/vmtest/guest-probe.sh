#!/usr/bin/env bash
# Runs inside the guest (via run-in-vm.sh): proves the guest kernel can do what the kernel tests
# need, without project code: JDK 25 starts, BTF is there, bpftool sees the program types, a
# kprobe event can be made through tracefs, vmtest's own libbpf attach probe
# (attach-probe/, built on the host into $VMTEST_ATTACH_PROBE, default
# target/vmtest/attach-probe) counts __d_alloc through fentry, fexit, kprobe and kretprobe,
# and bpftrace, as a peer tool, counts it through a kretprobe and kmem:kmem_cache_alloc.
# bpftrace's kfunc result is recorded as INFO only: bpftrace 0.17 refuses kfunc where its own
# BTF check fails (5.10), which says nothing about the kernel.
# Writes $VMTEST_RESULTS/probe.tsv (check<TAB>PASS|FAIL|INFO<TAB>detail) and exits with the
# number of failed checks.
set -uo pipefail
out=${VMTEST_RESULTS:?run me through run-in-vm.sh}
java=${VMTEST_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
attach_probe=${VMTEST_ATTACH_PROBE:-$(cd "$(dirname "$0")/../.." && pwd)/target/vmtest/attach-probe}
failures=0
: >"$out/probe.tsv"

now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }
# record CHECK PASS|FAIL DETAIL
record() {
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" | tee -a "$out/probe.tsv"
  [[ $2 != FAIL ]] || failures=$((failures + 1))
}

check_java() {
  local t v
  t=$(now)
  if v=$("$java" --enable-native-access=ALL-UNNAMED -version 2>&1) && grep -q 'version "25' <<<"$v"; then
    record jdk25-start PASS "$(since "$t") $(head -n1 <<<"$v")"
  else
    record jdk25-start FAIL "$(since "$t") $v"
  fi
}

check_btf() {
  if [[ -s /sys/kernel/btf/vmlinux ]]; then record btf PASS /sys/kernel/btf/vmlinux
  else record btf FAIL "no /sys/kernel/btf/vmlinux"; fi
}

check_bpftool() {
  local f=$out/bpftool-feature-probe.txt type
  timeout 120 bpftool feature probe kernel >"$f" 2>&1 || { record bpftool-probe FAIL "bpftool feature probe failed, see $f"; return; }
  for type in kprobe tracing tracepoint raw_tracepoint; do
    if grep -q "eBPF program_type $type is available" "$f"; then record "bpftool-prog-$type" PASS available
    else record "bpftool-prog-$type" FAIL "$(grep "program_type $type " "$f" || echo 'not listed')"; fi
  done
}

# churn -> dentry allocations (tmpfs lookup misses) until killed.
churn() { while :; do [[ -e /tmp/vmtest-probe-$RANDOM ]]; done; }

# check_libbpf NAME PROGRAM -> vmtest's attach probe loads and attaches PROGRAM and counts hits.
check_libbpf() {
  local name=$1 prog=$2 t log=$out/attach-probe-$1.txt
  if [[ ! -x $attach_probe/attach-probe ]]; then
    record "$name" FAIL "$attach_probe/attach-probe is missing: build it with scripts/vmtest/attach-probe/build.sh $attach_probe"
    return
  fi
  t=$(now)
  if timeout 60 "$attach_probe/attach-probe" "$attach_probe/attach_probe.bpf.o" "$prog" >"$log" 2>&1; then
    record "$name" PASS "libbpf $(tail -n1 "$log") (run $(since "$t"))"
  else record "$name" FAIL "libbpf $prog: $(tr '\n' ' ' <"$log" | cut -c1-300)"; fi
}

# check_bpftrace NAME PROBE [INFO] -> counts PROBE hits for one second while churn runs.
check_bpftrace() {
  local name=$1 probe=$2 fail=${3:-FAIL} t log=$out/bpftrace-$1.txt count pid
  t=$(now)
  churn &
  pid=$!
  timeout 180 bpftrace -e "$probe { @ = count(); } interval:s:1 { exit(); }" >"$log" 2>&1
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  count=$(awk '/^@: / { print $2 }' "$log")
  if [[ ${count:-0} -gt 0 ]]; then record "$name" PASS "$probe: $count hits in 1s (run $(since "$t"))"
  else record "$name" "$fail" "$probe: $(tr '\n' ' ' <"$log" | cut -c1-300)"; fi
}

check_kprobe_event() {
  local ev=/sys/kernel/tracing/kprobe_events
  if echo 'p:vmtest_probe __d_alloc' >>"$ev" 2>/dev/null && echo '-:vmtest_probe' >>"$ev"; then
    record kprobe-event PASS "p:__d_alloc via $ev"
  else record kprobe-event FAIL "cannot add p:__d_alloc to $ev"; fi
}

echo "probe: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
check_java
check_btf
check_bpftool
check_kprobe_event
check_libbpf libbpf-fentry fentry_d_alloc
check_libbpf libbpf-fexit fexit_d_alloc
check_libbpf libbpf-kprobe kprobe_d_alloc
check_libbpf libbpf-kretprobe kretprobe_d_alloc
check_bpftrace bpftrace-kretprobe 'kretprobe:__d_alloc'
check_bpftrace bpftrace-tracepoint 'tracepoint:kmem:kmem_cache_alloc'
check_bpftrace bpftrace-kfunc 'kfunc:__d_alloc' INFO
echo "probe: $failures failed check(s)"
exit "$failures"
