# Shared by benchmarks/*.sh (sourced, not run). Root, Linux, JDK 25.
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
NATIVE_DIR="$BENCH_DIR/target/native"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
EXPORTER_JAR="${DENTRYWATCH_EXPORTER_JAR:-$REPO_DIR/examples/exporter/target/dentrywatch-exporter.jar}"  # another build to compare: DENTRYWATCH_EXPORTER_JAR

bench_log() {
    printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
}

bench_require_exporter() {
    [[ -f "$EXPORTER_JAR" ]] || { echo "no $EXPORTER_JAR: build it first (benchmarks/run.sh does)" >&2; exit 1; }
}

bench_require_root() {
    if [[ $EUID -ne 0 ]]; then
        echo "$0: run as root (BPF, cgroups, mounts)" >&2
        exit 1
    fi
}

# The compiler for the C helpers: clang if present, else gcc.
bench_cc() {
    if command -v clang >/dev/null; then echo clang; else echo gcc; fi
}

# bench_build_native NAME [LIBS...]: builds benchmarks/src/main/c/NAME.c into target/native/NAME
# (poll needs libbpf-dev: bench_build_native poll -lbpf).
bench_build_native() {
    local name="$1"
    shift
    mkdir -p "$NATIVE_DIR"
    "$(bench_cc)" -O2 -Wall -Wextra -o "$NATIVE_DIR/$name" "$BENCH_DIR/src/main/c/$name.c" "$@"
}

# bench_build_bpf NAME: builds benchmarks/src/main/bpf/NAME.bpf.c into target/native/NAME.bpf.o
# (clang and libbpf-dev, as dentry-bpf's own build).
bench_build_bpf() {
    mkdir -p "$NATIVE_DIR"
    clang -target bpf -O2 -g -Wall -Werror -I"/usr/include/$(uname -m)-linux-gnu" \
        -c "$BENCH_DIR/src/main/bpf/$1.bpf.c" -o "$NATIVE_DIR/$1.bpf.o"
}

# The compiled dentry.bpf.o (dentry-bpf's build puts it on the class path).
DENTRY_BPF_OBJECT="$REPO_DIR/dentry-bpf/target/classes/io/dentrywatch/bpf/dentry.bpf.o"

# bench_attach LOG ARGS...: starts target/native/attach ARGS (an object, then what to load) in the
# background and waits until its programs are attached; sets TOOL_PID.
bench_attach() {
    local log="$1" i
    shift
    [[ -x "$NATIVE_DIR/attach" && "$NATIVE_DIR/attach" -nt "$BENCH_DIR/src/main/c/attach.c" ]] || bench_build_native attach -lbpf
    "$NATIVE_DIR/attach" "$@" >"$log" 2>&1 &
    TOOL_PID=$!
    for ((i = 0; ; i++)); do
        grep -qs '^attached' "$log" && return 0
        kill -0 "$TOOL_PID" 2>/dev/null || { cat "$log" >&2; exit 1; }
        ((i < 600)) || { echo "attach $*: not attached after 60 s" >&2; exit 1; }
        sleep 0.1
    done
}

# bench_attach_args MODE: what hotpath.sh's program-only MODE attaches: floor (empty programs),
# programs-btf / programs-raw (dentry.bpf.o's tracepoint programs, tp_btf or raw, by memory cgroup),
# programs-fentry / programs-kprobe (its dentry hooks of those modes, by v2 cgroup: for pure v2 guests).
bench_attach_args() {
    local hooks="d_instantiate d_add d_splice_alias d_obtain_alias d_delete dentry_free" h
    case "$1" in
        programs-fentry) echo "$DENTRY_BPF_OBJECT fexit_d_alloc $(for h in $hooks; do printf 'fentry_%s ' "$h"; done)" ;;
        programs-kprobe) echo "$DENTRY_BPF_OBJECT kretprobe_d_alloc $(for h in $hooks; do printf 'kprobe_%s ' "$h"; done)" ;;
        floor) echo "$NATIVE_DIR/floor.bpf.o" ;;
        programs-btf) echo "$DENTRY_BPF_OBJECT --memcg btf_kmem_cache_alloc tp_kmem_cache_free" ;;
        programs-raw) echo "$DENTRY_BPF_OBJECT --memcg tp_kmem_cache_alloc tp_kmem_cache_free" ;;
    esac
}

# The machine, for the record: kernel, CPUs, memory, load, and that it is shared.
bench_machine() {
    echo "kernel $(uname -r); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (machine shared with other agents' builds and VMs)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "java: $("$JAVA" -version 2>&1 | head -1); libbpf: $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo '?')"
}

# BPF programs attached to the slab tracepoints right now, by anyone (raw tracepoints, as dentrywatch's,
# and perf-event tracepoints, as bpftrace's; bpftool perf lists both): a hot-path baseline is only a
# baseline if nothing else is counting slab allocations.
bench_slab_probes() {
    bpftool -j perf show 2>/dev/null | python3 -c '
import json, sys
try:
    items = json.load(sys.stdin)
except ValueError:
    print("?"); sys.exit()
print(len({i.get("prog_id") for i in items if str(i.get("tracepoint", "")).startswith("kmem_cache_")}))' 2>/dev/null || echo "?"
}

# bench_bpftrace_prog MODE: the program of hotpath.sh's bpftrace mode MODE, counting as dentrywatch
# does (allocations per cgroup, frees node-wide; the -full ones also the positive and negative
# transitions per cgroup)
bench_bpftrace_prog() {
    case "$1" in
        bpftrace) echo 'tracepoint:kmem:kmem_cache_alloc /str(args->name) == "dentry"/ { @alloc[cgroup] = count(); }
tracepoint:kmem:kmem_cache_free /str(args->name) == "dentry"/ { @freed = count(); }' ;;
        bpftrace-kfunc) echo 'kretfunc:__d_alloc /retval/ { @alloc[cgroup] = count(); }
kfunc:dentry_free { @freed = count(); }' ;;
        bpftrace-kprobe) echo 'kretprobe:__d_alloc /retval/ { @alloc[cgroup] = count(); }
kprobe:dentry_free { @freed = count(); }' ;;
        # every per-cgroup counter of dentrywatch's fentry/kprobe modes, on the same functions (kernels
        # before 6.15, where d_splice_alias is not yet a wrapper of d_splice_alias_ops); a kernel
        # pointer that is neither NULL nor an ERR_PTR is below -4095 as a signed number
        bpftrace-kfunc-full) echo 'kretfunc:__d_alloc /retval/ { @alloc[cgroup] = count(); }
kfunc:__d_instantiate /(uint64)args->inode != 0/ { @positive[cgroup] = count(); }
kfunc:d_add { if ((uint64)args->inode != 0) { @positive[cgroup] = count(); } else { @negative_lookup[cgroup] = count(); } }
kfunc:d_splice_alias { if ((uint64)args->inode == 0) { @negative_lookup[cgroup] = count(); } else if ((int64)args->inode < -4095) { @positive[cgroup] = count(); } }
kfunc:__d_obtain_alias /(int64)args->inode < -4095/ { @positive[cgroup] = count(); }
kfunc:d_delete /(uint64)args->dentry->d_inode != 0 && args->dentry->d_lockref.count == 1/ { @negative_unlink[cgroup] = count(); }
kfunc:dentry_free { @freed = count(); }' ;;
        bpftrace-kprobe-full) echo 'kretprobe:__d_alloc /retval/ { @alloc[cgroup] = count(); }
kprobe:__d_instantiate /arg1 != 0/ { @positive[cgroup] = count(); }
kprobe:d_add { if (arg1 != 0) { @positive[cgroup] = count(); } else { @negative_lookup[cgroup] = count(); } }
kprobe:d_splice_alias { if (arg0 == 0) { @negative_lookup[cgroup] = count(); } else if ((int64)arg0 < -4095) { @positive[cgroup] = count(); } }
kprobe:__d_obtain_alias /(int64)arg0 < -4095/ { @positive[cgroup] = count(); }
kprobe:d_delete /(uint64)((struct dentry *)arg0)->d_inode != 0 && ((struct dentry *)arg0)->d_lockref.count == 1/ { @negative_unlink[cgroup] = count(); }
kprobe:dentry_free { @freed = count(); }' ;;
    esac
}

# The JVM flags of the container image: deploy/Dockerfile's ENTRYPOINT between "java" and "-jar".
bench_image_flags() {
    grep '^ENTRYPOINT ' "${1:-$REPO_DIR/deploy/Dockerfile}" | tail -1 | sed 's/^ENTRYPOINT //' | python3 -c '
import json, sys
words = json.load(sys.stdin)
print(" ".join(words[1:words.index("-jar")]))'
}

# The environment of the container image: deploy/Dockerfile's ENV words (NAME=value, for env(1)).
bench_image_env() {
    grep '^ENV ' "${1:-$REPO_DIR/deploy/Dockerfile}" | sed 's/^ENV //' | tr '\n' ' ' | sed 's/ *$//'
}

# Where memory-cgroup ids resolve for the exporter's default key on this host: the v1 memory
# hierarchy on hybrid/v1 hosts, else the cgroup2 mount.
bench_cgroup_base() {
    local memory unified
    memory="$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)memory(,|$)/ {print $1; exit}')"
    unified="$(findmnt -rn -t cgroup2 -o TARGET | head -1)"
    if [[ -n "$memory" ]]; then echo "$memory"; else echo "$unified"; fi
}

# bench_make_cgroups PARENT COUNT LISTFILE: PARENT/cg-0000 ... and their paths in LISTFILE.
bench_make_cgroups() {
    local parent="$1" count="$2" list="$3" i
    mkdir -p "$parent"
    : >"$list"
    for ((i = 0; i < count; i++)); do
        printf -v d '%s/cg-%04d' "$parent" "$i"
        mkdir -p "$d"
        echo "$d" >>"$list"
    done
}

# bench_remove_cgroups PARENT: removes PARENT and its children once they are empty.
bench_remove_cgroups() {
    local parent="$1" d try
    [[ -d "$parent" ]] || return 0
    for try in 1 2 3 4 5 6 7 8 9 10; do
        for d in "$parent"/*/; do
            [[ -d "$d" ]] && rmdir "$d" 2>/dev/null
        done
        rmdir "$parent" 2>/dev/null && return 0
        sleep 0.5
    done
    echo "could not remove $parent (still busy?)" >&2
    return 1
}

# bench_stop PID: SIGTERM, then wait for it (SIGKILL after 60 s: an AOT cache is assembled at exit).
bench_stop() {
    local pid="$1" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 600; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null || true
            return 0
        fi
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# bench_rss_kib PID: VmRSS in KiB.
bench_rss_kib() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true
}

# bench_cpu_ms PID: the CPU time the process has used (user + system), in milliseconds.
bench_cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat" 2>/dev/null || true
}

# Median, min and max of numbers on stdin: "median min max".
bench_stats() {
    sort -g | awk '{a[NR] = $1} END {
        if (NR == 0) { print "- - -"; exit }
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        print m, a[1], a[NR] }'
}
