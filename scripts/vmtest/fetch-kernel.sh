#!/usr/bin/env bash
# Usage: fetch-kernel.sh SERIES[=SUITE]
#   Fetches the newest Debian linux-image-SERIES.*-amd64 package of SUITE (5.10 -> bullseye,
#   6.1 -> bookworm, 6.12 -> trixie), unpacks it with dpkg -x into the cache and prints the
#   unpacked dir ($DENTRYWATCH_VMTEST_CACHE/kernels/RELEASE, with boot/vmlinuz-RELEASE and
#   (usr/)lib/modules/RELEASE). Uses a private apt configuration (own sources list, state and cache
#   dirs, signatures checked with the machine's debian-archive-keyring); /etc/apt is only read,
#   to learn the Debian mirror. A cached kernel is reused without any network access; set
#   VMTEST_REFRESH=1 to look for a newer package.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# host_apt_uris -> every URI of the machine's enabled apt sources, one a line.
host_apt_uris() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ } print $i }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
  done
}

# debian_mirror debian|debian-security -> the machine's mirror URI for that archive (may be empty).
debian_mirror() {
  local archive=$1 override
  if [[ $archive == debian ]]; then override=${VMTEST_DEBIAN_MIRROR:-}; else override=${VMTEST_DEBIAN_SECURITY_MIRROR:-}; fi
  if [[ -n $override ]]; then echo "$override"; return; fi
  host_apt_uris | sed 's:/*$::' | grep -E "/$archive\$" | head -n1 || true
}

# apt_dir SUITE -> private apt root of that suite (created, with its sources list).
apt_dir() {
  local suite=$1 d main security
  d=$VMTEST_CACHE/apt/$suite
  main=$(debian_mirror debian)
  [[ -n $main ]] || die "no Debian mirror (a URI ending in /debian) in /etc/apt/sources.list{,.d}; set VMTEST_DEBIAN_MIRROR=http://MIRROR/debian"
  security=$(debian_mirror debian-security)
  mkdir -p "$d/state/lists/partial" "$d/cache/archives/partial" "$d/empty.d"
  touch "$d/state/status"
  {
    echo "deb [signed-by=$DEBIAN_KEYRING] $main $suite main"
    # only stable suites have a security archive (not trixie-backports, not sid)
    [[ -z $security || $suite == *-* || $suite == sid || $suite == unstable ]] \
      || echo "deb [signed-by=$DEBIAN_KEYRING] $security $suite-security main"
  } >"$d/sources.list"
  echo "$d"
}

# apt_opts DIR -> apt -o options that keep apt away from the machine's own sources and state.
apt_opts() {
  local d=$1
  printf '%s\n' -o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=$d/empty.d" \
    -o "Dir::Etc::preferences=$d/preferences" -o "Dir::Etc::preferencesparts=$d/empty.d" \
    -o "Dir::State=$d/state" -o "Dir::State::status=$d/state/status" -o "Dir::Cache=$d/cache" \
    -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64" -o "Acquire::Languages=none" \
    -o "APT::Sandbox::User=root"
}

# newest_image SERIES DIR -> "PACKAGE VERSION" of the newest plain -amd64 kernel image of the suite.
newest_image() {
  local series=$1 d=$2 re names best='' best_ver='' name ver
  local -a opts
  mapfile -t opts < <(apt_opts "$d")
  # 5.10.0-46-amd64, 6.1.0-41-amd64, 6.12.57+deb13-amd64 (+ -unsigned); not rt/cloud/dbg/backports.
  re="^linux-image-${series//./\\.}\\.[0-9]+(-[0-9]+|\\+deb[0-9.]+)-amd64(-unsigned)?\$"
  mapfile -t names < <(apt-cache "${opts[@]}" pkgnames linux-image- | grep -E "$re" || true)
  ((${#names[@]} > 0)) || die "no package matching $re in the private apt lists of $d"
  while read -r name ver; do
    [[ $ver == "(none)" ]] && continue
    if [[ -z $best ]] || dpkg --compare-versions "$ver" gt "$best_ver" \
      || { [[ $ver == "$best_ver" && $name == *-unsigned ]]; }; then
      best=$name best_ver=$ver
    fi
  done < <(apt-cache "${opts[@]}" policy "${names[@]}" | awk '/^[^ ].*:$/ { sub(/:$/, ""); n = $0 } /^  Candidate:/ { print n, $2 }')
  [[ -n $best ]] || die "no installable candidate among: ${names[*]}"
  echo "$best $best_ver"
}

# unpack DEB... -> unpacks every package into kernels/RELEASE, prints RELEASE.
unpack() {
  local tmp release deb
  tmp=$(mktemp -d "$VMTEST_CACHE/kernels/.unpack.XXXXXX")
  for deb in "$@"; do dpkg -x "$deb" "$tmp"; done
  # 7.x keeps the image at (usr/)lib/modules/RELEASE/vmlinuz; its postinst would link /boot to it
  local image
  for image in "$tmp"/lib/modules/*/vmlinuz "$tmp"/usr/lib/modules/*/vmlinuz; do
    [[ -f $image ]] || continue
    mkdir -p "$tmp/boot"
    release=${image%/vmlinuz} release=${release##*/}
    [[ -e $tmp/boot/vmlinuz-$release ]] || ln "$image" "$tmp/boot/vmlinuz-$release"
  done
  release=$(find "$tmp/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null | sed 's/^vmlinuz-//' | head -n1)
  if [[ -z $release ]] || ! modules_dir "$tmp" "$release" >/dev/null; then
    rm -rf "$tmp"
    die "$* hold no boot/vmlinuz-* with (usr/)lib/modules/*"
  fi
  rm -rf "${VMTEST_CACHE:?}/kernels/$release"
  mv "$tmp" "$VMTEST_CACHE/kernels/$release"
  echo "$release"
}

# split_parts PACKAGE VERSION DIR -> "NAME=VERSION" of the packages holding the image and modules
# when PACKAGE is only a meta package (7.x: linux-binary-* has vmlinuz, linux-modules-* the modules).
split_parts() {
  local -a opts
  mapfile -t opts < <(apt_opts "$3")
  apt-cache "${opts[@]}" show "$1=$2" | sed -n 's/^Depends: //p' | head -n1 | tr ',' '\n' \
    | sed -nE 's/^ *(linux-(binary|modules)-[^ ]+) \(= ([^)]+)\).*/\1=\3/p'
}

fetch() {
  local spec=$1 series suite pointer release d pkg ver
  series=$(series_of "$spec") suite=$(suite_of "$spec")
  pointer=$VMTEST_CACHE/kernels/$series.release
  mkdir -p "$VMTEST_CACHE/kernels" "$VMTEST_CACHE/debs"
  if [[ ${VMTEST_REFRESH:-0} != 1 && -s $pointer ]]; then
    release=$(<"$pointer")
    if [[ -f $VMTEST_CACHE/kernels/$release/boot/vmlinuz-$release ]]; then
      echo "$VMTEST_CACHE/kernels/$release"
      return
    fi
  fi
  need_host_packages "$DEBIAN_KEYRING":debian-archive-keyring dpkg-deb:dpkg
  d=$(apt_dir "$suite")
  local -a opts
  mapfile -t opts < <(apt_opts "$d")
  log "updating private apt lists for $suite ($d)"
  apt-get "${opts[@]}" -q update >&2 || die "apt-get update of the private $suite lists failed (mirror from /etc/apt: $(debian_mirror debian)); check the network or set VMTEST_DEBIAN_MIRROR"
  pkg=$(newest_image "$series" "$d")
  ver=${pkg#* } pkg=${pkg%% *}
  release=$(sed -E 's/^linux-image-//; s/-unsigned$//' <<<"$pkg")
  if [[ -f $VMTEST_CACHE/kernels/$release/boot/vmlinuz-$release && -f $VMTEST_CACHE/kernels/$release/.package ]] \
    && [[ $(<"$VMTEST_CACHE/kernels/$release/.package") == "$pkg $ver" ]]; then
    log "$series: newest is $pkg $ver, already unpacked"
  else
    local -a parts debs=()
    mapfile -t parts < <(split_parts "$pkg" "$ver" "$d")
    log "$series: downloading $pkg $ver${parts[*]:+ (${parts[*]})} from $suite"
    (cd "$VMTEST_CACHE/debs" && apt-get "${opts[@]}" -q download "$pkg=$ver" "${parts[@]}" >&2) \
      || die "apt-get download $pkg=$ver ${parts[*]} failed"
    local part
    for part in "$pkg=$ver" "${parts[@]}"; do
      debs+=("$(find "$VMTEST_CACHE/debs" -maxdepth 1 -name "${part%%=*}_*_amd64.deb" | sort -V | tail -n1)")
    done
    release=$(unpack "${debs[@]}")
    echo "$pkg $ver" >"$VMTEST_CACHE/kernels/$release/.package"
    rm -f "${debs[@]}"
  fi
  echo "$release" >"$pointer"
  echo "$VMTEST_CACHE/kernels/$release"
}

(($# == 1)) || die "usage: $0 SERIES[=SUITE]   (SERIES: ${!VMTEST_SUITE_OF[*]})"
with_cache_lock fetch "$1"
