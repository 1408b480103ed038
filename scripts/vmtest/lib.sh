# shellcheck shell=bash
# Common helpers of the VM test harness. Sourced, never run.

VMTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VMTEST_DIR/../.." && pwd)
export REPO_ROOT
VMTEST_CACHE=${DENTRYWATCH_VMTEST_CACHE:-/var/cache/dentrywatch-vmtest}
# where the guest mounts its scratch disk (an empty directory of the host, so nothing is hidden)
SCRATCH_MOUNT=$VMTEST_CACHE/scratch-mount
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Kernel series the matrix knows: series=debian suite.
declare -A VMTEST_SUITE_OF=([5.10]=bullseye [6.1]=bookworm [6.12]=trixie [6.18]=trixie-backports [7.3]=trixie-backports)

log() { printf 'vmtest: %s\n' "$*" >&2; }
die() { printf 'vmtest: ERROR: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
# elapsed START -> seconds since START, one decimal
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

# need_host_packages CMD:PACKAGE... -> apt-get installs the packages whose command is missing.
need_host_packages() {
  local pair cmd pkg missing=()
  for pair in "$@"; do
    cmd=${pair%%:*} pkg=${pair#*:}
    if [[ $cmd == /* ]]; then [[ -e $cmd ]] && continue; else command -v "$cmd" >/dev/null && continue; fi
    missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing host packages: ${missing[*]}; install them: sudo apt-get install -y ${missing[*]}"
  log "installing host packages: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
    apt-get update -q >&2 || die "apt-get update failed; cannot install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed; install them by hand and re-run"
  fi
}

need_vm_host_packages() {
  need_host_packages qemu-system-x86_64:qemu-system-x86 /bin/busybox:busybox-static \
    cpio:cpio xz:xz-utils zstd:zstd "$DEBIAN_KEYRING":debian-archive-keyring
  if ! grep -qx insmod < <(/bin/busybox --list); then
    die "/bin/busybox has no insmod applet; apt-get install -y busybox-static (the static build has it)"
  fi
}

# ensure_cache_dir -> creates $VMTEST_CACHE or says how to choose another one.
ensure_cache_dir() {
  if ! mkdir -p "$VMTEST_CACHE" 2>/dev/null || [[ ! -w $VMTEST_CACHE ]]; then
    die "cache dir $VMTEST_CACHE is not writable; run as root or set DENTRYWATCH_VMTEST_CACHE to a writable dir"
  fi
}

# with_cache_lock CMD... -> runs CMD holding an exclusive lock on the cache (parallel runs share it).
with_cache_lock() {
  ensure_cache_dir
  (
    flock -w 1800 9 || die "timed out waiting for the lock on $VMTEST_CACHE/.lock"
    "$@"
  ) 9>"$VMTEST_CACHE/.lock"
}

# suite_of SERIES -> Debian suite for a kernel series ("5.10" or "5.10=bullseye").
suite_of() {
  local spec=$1
  if [[ $spec == *=* ]]; then echo "${spec#*=}"; return; fi
  [[ -n ${VMTEST_SUITE_OF[$spec]:-} ]] \
    || die "unknown kernel series '$spec'; known: ${!VMTEST_SUITE_OF[*]}; or give SERIES=SUITE, e.g. 6.1=bookworm"
  echo "${VMTEST_SUITE_OF[$spec]}"
}
series_of() { echo "${1%%=*}"; }

# modules_dir KERNEL_DIR RELEASE -> the unpacked modules dir (lib/modules or, merged-usr, usr/lib/modules).
modules_dir() {
  local d
  for d in "$1/lib/modules/$2" "$1/usr/lib/modules/$2"; do
    [[ -d $d/kernel ]] && { echo "$d"; return 0; }
  done
  return 1
}
