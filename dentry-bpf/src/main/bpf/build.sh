#!/usr/bin/env bash
# Compiles every src/main/bpf/*.bpf.c into a CO-RE object under $1 (Maven's classes dir).
# Runs during Maven's generate-resources; needs clang and libbpf-dev (scripts/test.sh installs them).
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)
for tool in clang; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found: apt-get install clang libbpf-dev (scripts/test.sh does this)" >&2; exit 1; }
done
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "build.sh: /usr/include/bpf/bpf_helpers.h not found: apt-get install libbpf-dev" >&2; exit 1; }
strip=$(command -v llvm-strip || ls /usr/bin/llvm-strip-* 2>/dev/null | head -n1 || true)
arch_inc=/usr/include/$(uname -m)-linux-gnu
mkdir -p "$out"
for c in "$src"/*.bpf.c; do
  obj="$out/$(basename "${c%.c}").o"
  clang -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_x86 -I"$src" -I"$arch_inc" -c "$c" -o "$obj"
  # DWARF is dead weight at run time; .BTF and .BTF.ext (what CO-RE needs) stay.
  [ -n "$strip" ] && "$strip" -g "$obj"
done
