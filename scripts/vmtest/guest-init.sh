#!/bin/busybox sh
# shellcheck shell=dash
# /init of the vmtest initramfs (busybox ash, runs as PID 1 in the guest).
# Loads the 9p/virtio modules, mounts the host root (9p tag hostroot, read-only) at /newroot and
# the writable results share (9p tag results) at /newroot$RESULTS, where RESULTS comes from the
# kernel command line (vmtest.results=HOST_PATH), mounts the kernel file systems inside,
# then runs "bash $RESULTS/guest-cmd.sh" chrooted into the host root, stores its exit status in
# $RESULTS/exit-code and powers off. Anything that goes wrong leaves no exit-code file, which the
# host reports as a failure.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "vmtest-init: [$(up)] $*"; }
finish() {
  sync
  poweroff -f
  sleep 5
  reboot -f
}
fail() {
  say "FAILED: $*"
  finish
}
# must DESCRIPTION CMD... -> runs CMD or powers off without a result.
must() {
  what=$1
  shift
  "$@" || fail "$what"
}

results=
scratch=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
  case $arg in
    vmtest.results=*) results=${arg#vmtest.results=} ;;
    vmtest.scratch=*) scratch=${arg#vmtest.scratch=} ;;
  esac
done
[ -n "$results" ] || fail "no vmtest.results=PATH on the kernel command line"
say "kernel $(uname -r) up, loading modules"

while read -r m; do
  insmod "/lib/modules/$m.ko" || say "insmod $m failed"
done </etc/vmtest-modules

R=/newroot
p9=trans=virtio,version=9p2000.L,msize=512000
must "mount of the host root (9p tag hostroot)" mount -t 9p -o "ro,cache=loose,$p9" hostroot $R

must "mount proc" mount -t proc proc $R/proc
must "mount sysfs" mount -t sysfs sysfs $R/sys
must "mount devtmpfs" mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
# TMPDIR is the ext2 scratch disk run-in-vm.sh attaches (tmpfs would drop negative dentries at
# once), at an empty directory of the host; nothing is mounted over /tmp, where the repository may be
[ -n "$scratch" ] || fail "no vmtest.scratch=PATH on the kernel command line"
if ! { [ -b /dev/vda ] && mount -t ext4 /dev/vda "$R$scratch"; }; then
  say "no scratch disk: TMPDIR is a tmpfs"
  must "mount tmpfs at $scratch" mount -t tmpfs tmpfs "$R$scratch"
fi
mkdir -p "$R$scratch/tmp" && chmod 1777 "$R$scratch/tmp"
must "mount tmpfs on /run" mount -t tmpfs -o mode=755 tmpfs $R/run
must "mount cgroup2 at /sys/fs/cgroup" mount -t cgroup2 cgroup2 $R/sys/fs/cgroup
must "mount tracefs at /sys/kernel/tracing" mount -t tracefs tracefs $R/sys/kernel/tracing
must "mount debugfs at /sys/kernel/debug" mount -t debugfs debugfs $R/sys/kernel/debug
must "mount bpffs at /sys/fs/bpf" mount -t bpf bpf $R/sys/fs/bpf
# Pure cgroup v2, as systemd sets it up: every controller enabled for the children of the root.
read -r controllers <$R/sys/fs/cgroup/cgroup.controllers
for c in $controllers; do
  echo "+$c" >$R/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || say "cannot enable cgroup controller $c"
done
# Last, so that a results dir under /tmp or /run is not hidden by the tmpfs mounted there.
mkdir -p "$R$results" 2>/dev/null
must "mount of the results share (9p tag results) at $results" mount -t 9p -o "$p9" results "$R$results"
up >"$R$results/guest-boot-seconds"

say "running $results/guest-cmd.sh"
{
  chroot $R /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash "$results/guest-cmd.sh" </dev/null
  echo $? >"$R$results/exit-code"
} 2>&1 | tee "$R$results/guest-output.log"
say "guest command exited with status $(cat "$R$results/exit-code" 2>/dev/null || echo '?')"
sync
umount "$R$results"
finish
