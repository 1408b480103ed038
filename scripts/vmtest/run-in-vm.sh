#!/usr/bin/env bash
# Usage: run-in-vm.sh [options] KERNEL TIMEOUT -- CMD [ARG...]
#   Boots KERNEL under qemu (TCG, 2 vCPUs), chroots into this machine's root (shared read-only
#   over 9p), runs CMD there as root from the current directory, and exits with CMD's status.
#   KERNEL   a series (5.10, 6.1, 6.12: fetched into the cache on first use) or a kernel dir
#            made by fetch-kernel.sh
#   TIMEOUT  seconds for the whole VM run: boot, CMD, power-off
# Options:
#   --results DIR     writable dir shared with the guest at the same path (default:
#                     target/vmtest/runs/RELEASE-TIMESTAMP); CMD finds it in $VMTEST_RESULTS
#   --env NAME=VALUE  exported to CMD (repeatable); CMD otherwise starts with a clean environment
#   --quiet           do not stream the guest console (it is always in RESULTS/console.log)
# Exit status: CMD's status; 125 when the VM run failed (time limit, kernel oops/BUG/panic --
# the kernel runs with oops=panic --, no result file): then the tail of the guest console is
# printed.
# Env: VMTEST_MEM (MiB, default 1536), VMTEST_CPUS (2), VMTEST_CPU (qemu -cpu model, max),
#      VMTEST_ACCEL (qemu -accel, default tcg,thread=single: KVM hangs at boot on this machine
#      kind, and multi-threaded TCG crashes guests while kprobes/fentry patch kernel code),
#      VMTEST_APPEND (extra kernel arguments),
#      VMTEST_CONSOLE_TAIL (lines of console shown on failure, 60).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 [--results DIR] [--env NAME=VALUE]... [--quiet] KERNEL TIMEOUT -- CMD [ARG...]"; }

# kernel_dir KERNEL -> an unpacked kernel dir (fetching a series if needed).
kernel_dir() {
  if [[ -d $1 ]]; then (cd "$1" && pwd); else "$VMTEST_DIR/fetch-kernel.sh" "$1"; fi
}

# write_guest_cmd FILE RESULTS RELEASE ENVS... -- CMD... -> the script init runs in the chroot.
write_guest_cmd() {
  local file=$1 results=$2 release=$3
  shift 3
  {
    echo '#!/bin/bash'
    echo '# written by scripts/vmtest/run-in-vm.sh; run by the guest init inside the chroot'
    printf 'export VMTEST_RESULTS=%q VMTEST_KERNEL_RELEASE=%q VMTEST_IN_GUEST=1\n' "$results" "$release"
    printf 'export TMPDIR=%q\n' "$SCRATCH_MOUNT/tmp"
    while [[ $1 != -- ]]; do printf 'export %q\n' "$1"; shift; done
    shift
    printf 'cd %q || exit 126\n' "$PWD"
    printf '%q ' "$@"
    echo
  } >"$file"
}

# console_failure RESULTS -> a reason the run failed, read from the console, or nothing.
console_failure() {
  grep -m1 -aoE 'Kernel panic - not syncing.*|\] (BUG|Oops): .*|vmtest-init: \[[^]]*\] FAILED: .*' "$1/console.log" \
    | sed 's/^\] //' || true
}

main() {
  local results='' quiet=0 kernel timeout kdir release initrd qemu_rc start reason rc
  local -a envs=()
  while (($#)); do
    case $1 in
      --results) results=${2:?--results needs a DIR}; shift 2 ;;
      --env) [[ ${2:-} == *=* ]] || die "--env needs NAME=VALUE"; envs+=("$2"); shift 2 ;;
      --quiet) quiet=1; shift ;;
      -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      -*) usage ;;
      *) break ;;
    esac
  done
  if (($# < 4)) || [[ $3 != -- ]]; then usage; fi
  kernel=$1 timeout=$2
  shift 3
  [[ $timeout =~ ^[0-9]+$ ]] || die "TIMEOUT must be whole seconds, got '$timeout'"
  [[ $(id -u) == 0 ]] || die "run as root: the guest shares the whole root file system and tests need root in the guest"
  need_vm_host_packages
  kdir=$(kernel_dir "$kernel")
  release=${kdir##*/}
  initrd=$("$VMTEST_DIR/build-initramfs.sh" "$kdir")
  results=${results:-$REPO_ROOT/target/vmtest/runs/$release-$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$results"
  results=$(cd "$results" && pwd)
  [[ $results != / && $results != *[[:space:]]* ]] || die "results dir '$results' must not be / or contain white space"
  rm -f "$results"/{exit-code,console.log,guest-output.log,guest-boot-seconds,guest-cmd.sh}
  write_guest_cmd "$results/guest-cmd.sh" "$results" "$release" "${envs[@]}" -- "$@"

  # the guest's TMPDIR: an ext2 disk (tmpfs drops negative dentries at once), mounted at a
  # directory of the cache so it can hide nothing of the host root, wherever the repository is
  mkdir -p "$SCRATCH_MOUNT"
  scratch=$(mktemp --tmpdir vmtest-scratch.XXXXXX.img)
  trap 'rm -f "$scratch"' EXIT
  truncate -s "${VMTEST_SCRATCH_SIZE:-4G}" "$scratch"
  mkfs.ext2 -q -F -m 0 "$scratch" || die "mkfs.ext2 of the guest's scratch disk failed (apt-get install e2fsprogs)"

  log "booting $release (timeout ${timeout}s, results in $results)"
  start=$(now)
  set +e
  timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
    -accel "${VMTEST_ACCEL:-tcg,thread=single}" -cpu "${VMTEST_CPU:-max}" -smp "${VMTEST_CPUS:-2}" -m "${VMTEST_MEM:-1536}" \
    -nographic -no-reboot -nic none \
    -kernel "$kdir/boot/vmlinuz-$release" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 oops=panic loglevel=4 vmtest.results=$results vmtest.scratch=$SCRATCH_MOUNT ${VMTEST_APPEND:-}" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap" \
    -drive "file=$scratch,if=virtio,format=raw,cache=unsafe" \
    </dev/null 2>&1 | if ((quiet)); then cat >"$results/console.log"; else tee "$results/console.log" >&2; fi
  qemu_rc=${PIPESTATUS[0]}
  set -e
  elapsed "$start" >"$results/vm-seconds"

  reason=$(console_failure "$results")
  if [[ $qemu_rc == 124 || $qemu_rc == 137 ]]; then
    reason="time limit of ${timeout}s reached${reason:+ ($reason)}"
  elif [[ -z $reason && ! -s $results/exit-code ]]; then
    reason="no result file $results/exit-code (qemu exit status $qemu_rc)"
  fi
  if [[ -n $reason ]]; then
    {
      echo "vmtest: FAILURE on $release: $reason"
      echo "vmtest: ---- last ${VMTEST_CONSOLE_TAIL:-60} lines of the guest console ($results/console.log) ----"
      tail -n "${VMTEST_CONSOLE_TAIL:-60}" "$results/console.log" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
      echo "vmtest: ---- end of console ----"
    } >&2
    return 125
  fi
  rc=$(<"$results/exit-code")
  log "$release: command exited $rc; VM run $(<"$results/vm-seconds")s, boot to command $(cat "$results/guest-boot-seconds" 2>/dev/null || echo "?")s (guest uptime)"
  return "$rc"
}

main "$@"
