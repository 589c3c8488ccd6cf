#!/usr/bin/env bash
# The one install step for a brand-new Debian 12 machine (root): build tools and libraries for
# labctl, fake-pool and fake-miner, plus what the host provider runs (containerd, runc, CNI
# plugins, image tooling, netfilter tools). Idempotent; safe to re-run.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then echo "install-deps.sh: run as root (apt-get install)" >&2; exit 1; fi
pkgs=(
  # build
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-filesystem-dev libboost-system-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev
  googletest libgtest-dev libgmock-dev shellcheck
  # host provider: runtime, networking, images
  containerd runc containernetworking-plugins iptables ipset nftables conntrack iproute2 ethtool socat
  buildah busybox-static openssl procps psmisc util-linux kmod curl
)
missing=()
for p in "${pkgs[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $st == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts containerd on install where systemd runs; the host provider runs its own
# instance with its own config, so a packaged one must not hold /run/containerd.
if command -v systemctl >/dev/null && systemctl is-active -q containerd 2>/dev/null; then
  systemctl disable --now containerd >/dev/null 2>&1 || true
fi
echo "install-deps: ok" >&2
