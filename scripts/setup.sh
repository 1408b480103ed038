#!/usr/bin/env bash
# Sourced by the other scripts: installs the Debian packages the build and the tests need when they
# are missing, and selects JDK 25 (the machine's default java is 17).
set -euo pipefail

DENTRYWATCH_PACKAGES=(clang llvm libbpf-dev libbpf1 bpftool bpftrace util-linux prometheus)

dentrywatch_install_packages() {
  local missing=() p
  for p in "${DENTRYWATCH_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

dentrywatch_select_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
        && "$candidate/bin/java" -version 2>&1 | grep -qE 'version "25'; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "setup: no JDK 25 found (looked for /usr/lib/jvm/temurin-25-jdk-amd64); install Temurin 25 or set JAVA_HOME" >&2
  return 1
}
