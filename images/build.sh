#!/usr/bin/env bash
# Builds every image the lab runs, without a registry: each image is a Dockerfile in
# images/<name>/ over a context assembled here (static binaries, busybox, config files), built
# by buildah (default; no Docker engine needed) or by `docker build` (--docker), and saved as
# a docker-archive at $LABCTL_CACHE/images/<name>.tar with its tags in <name>.tags.
# containerd imports those archives (host/hostctl.sh); `kind load image-archive` loads them.
# An image whose inputs did not change is not rebuilt.
#
# usage: images/build.sh [--docker] [--build-dir DIR] [NAME...]
set -euo pipefail

main() {
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  repo=$(cd "$here/.." && pwd)
  # shellcheck source=../host/versions.env
  source "$repo/host/versions.env"
  CACHE=${LABCTL_CACHE:-/var/cache/labctl}
  OUT=$CACHE/images
  engine=buildah
  build_dir=${LABCTL_BUILD_DIR:-$repo/build}
  local names=()
  while (($#)); do
    case $1 in
      --docker) engine=docker ;;
      --build-dir) build_dir=$2; shift ;;
      -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}"; return 0 ;;
      -*) echo "images/build.sh: unknown option $1" >&2; return 2 ;;
      *) names+=("$1") ;;
    esac
    shift
  done
  ((${#names[@]})) || names=(pause coredns metrics-server stratum-pool runtime-helper xmrig toolbox internal-api)
  mkdir -p "$OUT"
  local n
  for n in "${names[@]}"; do image "$n"; done
}

log() { printf '  %s\n' "$*" >&2; }
need() { [[ -x $1 ]] || { echo "images/build.sh: $1 is missing; $2" >&2; exit 1; }; }

# busybox_into ROOTFS: busybox plus a symlink per applet, /tmp, and name resolution config.
busybox_into() {
  local r=$1 a
  need /bin/busybox "install busybox-static (host/install-deps.sh)"
  mkdir -p "$r/bin" "$r/tmp" "$r/etc"
  chmod 1777 "$r/tmp"
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list); do [[ $a == busybox ]] || ln -sf busybox "$r/bin/$a"; done
  etc_into "$r"
}
etc_into() {
  mkdir -p "$1/etc"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$1/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$1/etc/group"
  printf 'hosts: files dns\n' >"$1/etc/nsswitch.conf"
}

context() { # context NAME: fill $ctx/rootfs for image NAME
  local n=$1 r=$ctx/rootfs
  case $n in
    pause)
      mkdir -p "$r"
      cc -static -O2 -Wall -Werror -o "$r/pause" "$here/pause/pause.c"
      tags=("$PAUSE_IMAGE") ;;
    coredns)
      need "$CACHE/coredns-$COREDNS_VERSION/bin/coredns" "run host/build-upstream.sh coredns"
      mkdir -p "$r"; cp "$CACHE/coredns-$COREDNS_VERSION/bin/coredns" "$r/coredns"; etc_into "$r"
      tags=("docker.io/lab/coredns:$COREDNS_VERSION") ;;
    metrics-server)
      need "$CACHE/metrics-server-$METRICS_SERVER_VERSION/bin/metrics-server" "run host/build-upstream.sh metrics-server"
      mkdir -p "$r/tmp"; chmod 1777 "$r/tmp"
      cp "$CACHE/metrics-server-$METRICS_SERVER_VERSION/bin/metrics-server" "$r/metrics-server"; etc_into "$r"
      tags=("registry.k8s.io/metrics-server/metrics-server:$METRICS_SERVER_VERSION") ;;
    stratum-pool)
      need "$build_dir/fake-pool/fake-pool" "build it first: cmake --preset default && cmake --build build"
      mkdir -p "$r"; strip -o "$r/fake-pool" "$build_dir/fake-pool/fake-pool"; etc_into "$r"
      tags=(docker.io/lab/stratum-pool:1.0.0) ;;
    runtime-helper|xmrig)
      # One image, two names (one archive each: buildah 1.28 saves one tag per archive).
      need "$build_dir/fake-miner/fake-miner" "build it first: cmake --preset default && cmake --build build"
      busybox_into "$r"
      mkdir -p "$r/opt/miner"
      strip -o "$r/opt/miner/fake-miner" "$build_dir/fake-miner/fake-miner"  # 20 MB -> 3 MB: no debug info in images
      cp "$here/runtime-helper/config.json" "$r/opt/miner/config.json"
      dockerfile=$here/runtime-helper/Dockerfile
      if [[ $n == xmrig ]]; then tags=(docker.io/lab/xmrig:6.22.2); else tags=(docker.io/platform/runtime-helper:1.0.1); fi ;;
    toolbox)
      busybox_into "$r"
      tags=(docker.io/lab/toolbox:1.0.0) ;;
    internal-api)
      busybox_into "$r"
      mkdir -p "$r/www"; printf '<h1>internal-api</h1>\nok\n' >"$r/www/index.html"
      tags=(docker.io/lab/internal-api:1.0.0) ;;
    *) echo "images/build.sh: unknown image '$n'" >&2; exit 2 ;;
  esac
}

image() {
  local n=$1 tags=() dockerfile=$here/$1/Dockerfile
  ctx=$OUT/ctx/$n
  rm -rf "$ctx"; mkdir -p "$ctx"
  context "$n"
  cp "$dockerfile" "$ctx/Dockerfile"
  # Inputs digest: file contents, modes and link targets of the context, plus the tags.
  local digest
  digest=$( (cd "$ctx" && find . -print0 | LC_ALL=C sort -z | xargs -0 stat -c '%n %a %N' && \
             find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; echo "${tags[*]}") | sha256sum | cut -d' ' -f1)
  if [[ -f $OUT/$n.tar && -f $OUT/$n.digest && $(<"$OUT/$n.digest") == "$digest" ]]; then
    log "$n: up to date (${tags[*]})"; return
  fi
  local t0=$SECONDS tmp=$OUT/$n.tar.tmp
  rm -f "$tmp"
  if [[ $engine == docker ]]; then
    docker build -q "${tags[@]/#/-t}" "$ctx" >/dev/null
    docker save -o "$tmp" "${tags[@]}"
  else
    # Our own storage under the cache: never touches a system-wide buildah/podman store.
    local b=(buildah --root "$CACHE/buildah/storage" --runroot /run/labctl/buildah --storage-driver vfs)
    "${b[@]}" bud -q --layers=false "${tags[@]/#/-t}" "$ctx" >/dev/null
    "${b[@]}" push -q "${tags[0]}" "docker-archive:$tmp:${tags[0]}" >/dev/null
    "${b[@]}" rmi -f "${tags[@]}" >/dev/null 2>&1 || true
  fi
  mv "$tmp" "$OUT/$n.tar"
  printf '%s\n' "${tags[@]}" >"$OUT/$n.tags"
  echo "$digest" >"$OUT/$n.digest"
  log "$n: built in $((SECONDS - t0)) s (${tags[*]}, $(du -h "$OUT/$n.tar" | cut -f1))"
}

main "$@"
