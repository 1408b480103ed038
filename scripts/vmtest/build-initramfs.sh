#!/usr/bin/env bash
# Usage: build-initramfs.sh KERNEL_DIR
#   Builds (or reuses) KERNEL_DIR/vmtest-initramfs.cpio.gz: busybox-static, guest-init.sh as /init
#   and the kernel's 9p/virtio modules (decompressed, in load order, their dependencies first;
#   modules that are built in or absent are skipped). Prints the initramfs path.
#   VMTEST_MODULES overrides the module list.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# ext4 (it loads crc32c even for the ext2 image it mounts) and virtio_blk: the guest's /tmp is a
# real disk file system, because tmpfs drops negative dentries at once and the dentry tests need them cached
DEFAULT_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p crc32c_generic crc16 mbcache jbd2 ext4 virtio_blk"

declare -A MOD_FILE=() BUILTIN=() SEEN=()
ORDER=()

# index_modules MODDIR -> fills MOD_FILE[name]=path and BUILTIN[name]=1.
index_modules() {
  local moddir=$1 f name
  while IFS= read -r f; do
    name=${f##*/} name=${name%%.ko*} name=${name//-/_}
    MOD_FILE[$name]=$f
  done < <(find "$moddir/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
  if [[ -f $moddir/modules.builtin ]]; then
    while IFS= read -r f; do
      name=${f##*/} name=${name%%.ko*} name=${name//-/_}
      BUILTIN[$name]=1
    done <"$moddir/modules.builtin"
  fi
}

# resolve NAME -> appends NAME's module dependencies, then NAME, to ORDER (once each).
resolve() {
  local name=${1//-/_} deps dep
  [[ -n ${SEEN[$name]:-} ]] && return 0
  SEEN[$name]=1
  if [[ -n ${BUILTIN[$name]:-} ]]; then log "  $name: built in"; return 0; fi
  if [[ -z ${MOD_FILE[$name]:-} ]]; then log "  $name: not in this kernel, skipped"; return 0; fi
  deps=$(modinfo -F depends "${MOD_FILE[$name]}")
  for dep in ${deps//,/ }; do resolve "$dep"; done
  ORDER+=("$name")
}

# decompress FILE OUT -> a plain .ko (busybox insmod reads no compressed modules).
decompress() {
  case $1 in
    *.ko.xz) xz -dc "$1" >"$2" ;;
    *.ko.zst) zstd -q -dc "$1" >"$2" ;;
    *.ko.gz) gzip -dc "$1" >"$2" ;;
    *) cp "$1" "$2" ;;
  esac
}

build() {
  local kdir=$1 release moddir out key tmp name
  release=$(find "$kdir/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' | head -n1)
  [[ -n $release ]] || die "$kdir/boot has no vmlinuz-*; is $kdir a dir made by fetch-kernel.sh?"
  moddir=$(modules_dir "$kdir" "$release") || die "$kdir has no (usr/)lib/modules/$release/kernel"
  out=$kdir/vmtest-initramfs.cpio.gz
  key=$( { sha256sum "$VMTEST_DIR/guest-init.sh" "$VMTEST_DIR/build-initramfs.sh" /bin/busybox | cut -d' ' -f1
           echo "${VMTEST_MODULES:-$DEFAULT_MODULES}"; } | sha256sum | cut -d' ' -f1)
  if [[ -f $out && -f $out.key && $(<"$out.key") == "$key" ]]; then echo "$out"; return; fi
  log "building initramfs for $release"
  index_modules "$moddir"
  for name in ${VMTEST_MODULES:-$DEFAULT_MODULES}; do resolve "$name"; done
  tmp=$(mktemp -d)
  mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,lib/modules,etc}
  cp /bin/busybox "$tmp/bin/busybox"
  cp "$VMTEST_DIR/guest-init.sh" "$tmp/init"
  chmod 755 "$tmp/init"
  mknod -m 600 "$tmp/dev/console" c 5 1
  for name in "${ORDER[@]}"; do decompress "${MOD_FILE[$name]}" "$tmp/lib/modules/$name.ko"; done
  printf '%s\n' "${ORDER[@]}" >"$tmp/etc/vmtest-modules"
  log "  modules, in load order: ${ORDER[*]}"
  (cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out.tmp"
  rm -rf "$tmp"
  mv "$out.tmp" "$out"
  echo "$key" >"$out.key"
  echo "$out"
}

(($# == 1)) || die "usage: $0 KERNEL_DIR"
[[ -d $1 ]] || die "kernel dir $1 does not exist; make one with fetch-kernel.sh SERIES"
need_vm_host_packages
need_host_packages modinfo:kmod
with_cache_lock build "$(cd "$1" && pwd)"
