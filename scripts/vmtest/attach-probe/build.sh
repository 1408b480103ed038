#!/usr/bin/env bash
# Usage: attach-probe/build.sh OUTPUT_DIR
#   Builds vmtest's own libbpf attach probe (attach_probe.bpf.o and the attach-probe loader)
#   into OUTPUT_DIR, on the host, for guest-probe.sh to run inside the guests.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$src/../lib.sh"
need_host_packages clang:clang cc:gcc /usr/include/bpf/libbpf.h:libbpf-dev
mkdir -p "$out"
clang -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_x86 -I"/usr/include/$(uname -m)-linux-gnu" \
  -c "$src/attach_probe.bpf.c" -o "$out/attach_probe.bpf.o"
cc -O2 -Wall -Werror -o "$out/attach-probe" "$src/attach_probe.c" -lbpf
echo "$out"
