#!/usr/bin/env bash
# The hot-path run (hotpath.sh) inside a VM of another kernel, for the attach modes this host cannot
# do (kprobe, fentry). qemu with TCG: timings are only comparable within one run, as ratios.
#
#   sudo benchmarks/hotpath-vm.sh --kernel-dir DIR [--rounds N] [--lookups N] [--creates N] [--modes LIST]
#                                 [--scrape-interval SECONDS]
#   sudo benchmarks/hotpath-vm.sh --kernel-dir DIR --run "probe-cost.sh --attach-mode fentry --bpftrace bpftrace-kfunc-full"
#
# --run runs another of benchmarks/'s scripts in the guest instead (its results in the same place).
#
# DIR is an unpacked Debian kernel package (dpkg -x linux-image-6.1.0-…-amd64-unsigned_….deb DIR: it
# has boot/vmlinuz-* and lib/modules/*), for example /var/cache/dentrywatch-vmtest/kernels/6.1.0-56-amd64.
# The guest boots a busybox initramfs built here (busybox-static and the kernel's virtio/9p modules),
# mounts this host's root read-only over 9p and a writable results directory, and runs hotpath.sh
# there (cgroup v2 only, as systemd would set it up). Results: benchmarks/target/vm/<kernel>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KDIR=""
ROUNDS=5
LOOKUPS=200000
CREATES=20000
MODES="baseline,dentrywatch-fentry,bpftrace-kfunc,dentrywatch-kprobe,bpftrace-kprobe"
SCRAPE=5
RUN=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --kernel-dir) KDIR="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --lookups) LOOKUPS="$2"; shift 2 ;;
        --creates) CREATES="$2"; shift 2 ;;
        --modes) MODES="$2"; shift 2 ;;
        --scrape-interval) SCRAPE="$2"; shift 2 ;;
        --run) RUN="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bench_require_root
[[ -n "$RUN" ]] || RUN="hotpath.sh --rounds $ROUNDS --lookups $LOOKUPS --creates $CREATES --modes $MODES --scrape-interval $SCRAPE"
[[ -n "$KDIR" && -d "$KDIR/lib/modules" ]] || { echo "--kernel-dir: an unpacked linux-image .deb (boot/, lib/modules/)" >&2; exit 2; }
VMLINUZ="$(ls "$KDIR"/boot/vmlinuz-* | head -1)"
KVER="$(basename "$VMLINUZ" | sed 's/^vmlinuz-//')"
MODDIR="$KDIR/lib/modules/$KVER"
BUSYBOX="$(command -v busybox || true)"
[[ -n "$BUSYBOX" ]] && file "$BUSYBOX" | grep -q 'statically linked' || BUSYBOX=/bin/busybox
file "$BUSYBOX" | grep -q 'statically linked' || { echo "needs busybox-static (apt-get install busybox-static)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "needs qemu-system-x86" >&2; exit 1; }
bench_require_exporter
# the guest sees the host root read-only: build here
bench_build_native churn
bench_build_native attach -lbpf
bench_build_bpf floor

OUT="$BENCH_DIR/target/vm/$KVER"
rm -rf "$OUT"
mkdir -p "$OUT/initramfs"/{bin,dev,proc,sys,newroot,lib/modules,etc}
IRD="$OUT/initramfs"
cp "$BUSYBOX" "$IRD/bin/busybox"
: >"$IRD/etc/modules"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p; do
    f="$(find "$MODDIR" -name "$m.ko" -o -name "$m.ko.xz" | head -1)"
    [[ -n "$f" ]] || continue # built in, or not a module on this kernel
    if [[ "$f" == *.xz ]]; then xz -dc "$f" >"$IRD/lib/modules/$m.ko"; else cp "$f" "$IRD/lib/modules/$m.ko"; fi
    echo "$m" >>"$IRD/etc/modules"
done
cat >"$IRD/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
while read -r m; do insmod "/lib/modules/$m.ko" || echo "insmod $m failed"; done </etc/modules
ifconfig lo 127.0.0.1 up # the exporter is scraped over loopback
results=
for arg in $(cat /proc/cmdline); do case $arg in dwbench.results=*) results=${arg#dwbench.results=} ;; esac; done
R=/newroot
p9=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "ro,cache=loose,$p9" hostroot $R || { echo "no host root"; poweroff -f; }
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
[ -e $R/dev/fd ] || ln -s /proc/self/fd $R/dev/fd # what udev would do: bash's <(...) needs it
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t tmpfs -o mode=1777 tmpfs $R/tmp
mount -t tmpfs -o mode=755 tmpfs $R/run
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup
mount -t tracefs tracefs $R/sys/kernel/tracing
mount -t debugfs debugfs $R/sys/kernel/debug
mount -t bpf bpf $R/sys/fs/bpf
read -r controllers <$R/sys/fs/cgroup/cgroup.controllers
for c in $controllers; do echo "+$c" >$R/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; done
mount -t 9p -o "$p9" results "$R$results" || { echo "no results share"; poweroff -f; }
chroot $R /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash "$results/guest-cmd.sh" </dev/null >"$R$results/guest-output.log" 2>&1
echo $? >"$R$results/exit-code"
sync
poweroff -f
EOF
chmod +x "$IRD/init"
(cd "$IRD" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$OUT/initramfs.cpio.gz"

RESULTS="$OUT/results"
mkdir -p "$RESULTS"
cat >"$RESULTS/guest-cmd.sh" <<EOF
set -e
export JAVA_HOME="$JAVA_HOME"
BENCH_OUT="$RESULTS" bash "$BENCH_DIR"/$RUN
EOF

bench_log "booting $KVER under qemu (TCG) for $RUN"
timeout 7200 qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 -m 3072 -nographic -no-reboot -nic none \
    -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio.gz" \
    -append "console=ttyS0 panic=-1 loglevel=4 dwbench.results=$RESULTS" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$RESULTS,mount_tag=results,security_model=none,multidevs=remap" \
    >"$OUT/console.log" 2>&1 </dev/null &
QEMU_PID=$!
# watchdog: a guest whose output has not changed for 10 minutes is hung (seen once: 6.1 under TCG,
# right after bpftrace attached its kprobes following the exporter's); stop it and say so
last=""
while kill -0 "$QEMU_PID" 2>/dev/null; do
    sleep 30
    now="$(stat -c %Y "$RESULTS/guest-output.log" 2>/dev/null || echo 0)"
    if [[ "$now" == "$last" ]] && (($(date +%s) - now > 600)); then
        echo "the guest made no progress for 10 minutes: stopping it" >&2
        kill "$QEMU_PID"
        break
    fi
    last="$now"
done
wait "$QEMU_PID" 2>/dev/null || true
if [[ "$(cat "$RESULTS/exit-code" 2>/dev/null)" != 0 ]]; then
    echo "the guest run failed: $OUT/console.log, $RESULTS/guest-output.log" >&2
    tail -20 "$RESULTS/guest-output.log" >&2 2>/dev/null || tail -20 "$OUT/console.log" >&2
    exit 1
fi
cat "$RESULTS/summary.txt" 2>/dev/null || cat "$RESULTS/probe-cost.txt"
