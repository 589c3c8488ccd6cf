#!/usr/bin/env bash
# Builds the upstream Kubernetes binaries the host provider runs, from the Go module proxy,
# at the versions in host/versions.env, or takes them from LABCTL_PREBUILT_DIR (a directory of
# release binaries: kube-apiserver, kubelet, ..., etcd, coredns, metrics-server, kube-router),
# checking each one's version. Output is cached outside the repo, keyed by version:
#   $LABCTL_CACHE/<component>-<version>/bin/<binary>
# A finished component has a .done stamp and is never rebuilt; an interrupted build resumes
# from Go's own build cache (GOCACHE), so re-running after a kill only redoes the tail.
#
# usage: host/build-upstream.sh [kubernetes|etcd|coredns|metrics-server|kube-router|all]...
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${LABCTL_CACHE:-/var/cache/labctl}
# Go from the machine's toolchain; a CI environment may not carry its PATH entry.
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH=$PATH:/usr/local/go/bin; fi
export GOFLAGS=-mod=mod CGO_ENABLED=0
export GOCACHE=${GOCACHE:-$cache/go-build} GOMODCACHE=${GOMODCACHE:-$cache/go-mod}
jobs=${LABCTL_BUILD_JOBS:-$(nproc)}

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# heartbeat WHAT: `go build` prints nothing while it compiles; say every 30 s that it still
# runs, so a long cold build is visibly alive (in CI logs too). Stopped by stop_heartbeat.
heartbeat() {
  local what=$1 t0=$SECONDS
  # The sleep must not hold our stdout/stderr open after we stop (a reader would wait for it),
  # and `wait` lets the TERM from stop_heartbeat end the loop at once.
  (
    trap 'kill "$s" 2>/dev/null; exit 0' TERM
    while :; do
      # shellcheck disable=SC2217 # closing stdin too: nothing of ours may stay open in sleep
      sleep 30 </dev/null >/dev/null 2>&1 & s=$!
      wait "$s"
      log "$what: still building ($((SECONDS - t0)) s)"
    done
  ) &
  hb_pid=$!
}
hb_pid=
stop_heartbeat() {
  [[ -n $hb_pid ]] || return 0
  kill "$hb_pid" 2>/dev/null || true; wait "$hb_pid" 2>/dev/null || true; hb_pid=
}
trap stop_heartbeat EXIT

# A finished component's .done stamp records how it was made (its recipe); a cache entry made
# by another recipe (e.g. different version stamping) is rebuilt, never silently reused.
is_done() { [[ -f $1/.done && $(<"$1/.done") == "$2" ]]; }
mark_done() { printf '%s' "$2" >"$1/.done"; }

# use_prebuilt OUT VERSION BIN...: with LABCTL_PREBUILT_DIR set (a directory of upstream
# release binaries, as a user who downloads releases has), copy BINs from there instead of
# building, after checking each one reports VERSION. Returns 1 when there is nothing to use.
use_prebuilt() {
  local out=$1 v=$2 b; shift 2
  [[ -n ${LABCTL_PREBUILT_DIR:-} ]] || return 1
  for b in "$@"; do [[ -x $LABCTL_PREBUILT_DIR/$b ]] || return 1; done
  mkdir -p "$out/bin"
  for b in "$@"; do
    local said
    case $b in
      kubectl) said=$("$LABCTL_PREBUILT_DIR/$b" version --client 2>&1 || true) ;;
      coredns) said=$("$LABCTL_PREBUILT_DIR/$b" -version 2>&1 || true) ;;
      *) said=$("$LABCTL_PREBUILT_DIR/$b" --version 2>&1 || true) ;;
    esac
    if [[ $said != *"${v#v}"* ]]; then
      echo "build-upstream.sh: $LABCTL_PREBUILT_DIR/$b is not version $v (it says: ${said%%$'\n'*})" >&2
      exit 1
    fi
    cp "$LABCTL_PREBUILT_DIR/$b" "$out/bin/$b"
  done
  log "$* $v: taken from $LABCTL_PREBUILT_DIR"
  mark_done "$out" "prebuilt $v"
}

# new_module DIR MODULE: a scratch wrapper module, so upstream modules with replace
# directives (which `go install` refuses) can be built as dependencies.
new_module() {
  if ! command -v go >/dev/null; then
    echo "build-upstream.sh: no Go toolchain on PATH (needed to build the upstream components)" >&2
    echo "  hint: install Go >= 1.25, or set LABCTL_PREBUILT_DIR to a directory of release binaries" >&2
    exit 1
  fi
  rm -rf "$1/src"; mkdir -p "$1/src" "$1/bin"
  printf 'module %s\n\ngo %s\n' "$2" "${3:-1.25.0}" >"$1/src/go.mod"
}

build_kubernetes() {
  local v=$KUBERNETES_VERSION out=$cache/kubernetes-$KUBERNETES_VERSION recipe="go-build-1 $KUBERNETES_VERSION"
  is_done "$out" "$recipe" || is_done "$out" "prebuilt $v" && { log "kubernetes $v cached in $out"; return; }
  use_prebuilt "$out" "$v" kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl && return
  new_module "$out" labctl.local/k8s-build 1.24.0
  local modfile
  modfile=$(cd "$out/src" && go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  local staging=${v/#v1./v0.}
  {
    grep -E '^godebug ' "$modfile" || true
    echo "require k8s.io/kubernetes $v"
    # Every staging module k8s.io/kubernetes maps to ./staging is replaced by its published
    # twin (k8s.io/X v0.MINOR.PATCH); the set changes per minor, so derive it, never list it.
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$modfile" | awk -v s="$staging" '{print "replace " $1 " => " $1 " " s}'
  } >>"$out/src/go.mod"
  local major minor
  major=${v#v}; major=${major%%.*}; minor=${v#v*.}; minor=${minor%%.*}
  local pkg=k8s.io/component-base/version
  local ldflags build_date
  build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ldflags="-s -w -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=$major -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  log "kubernetes $v: building with -p $jobs (cold: tens of minutes on 2 cores)"
  local t0=$SECONDS
  heartbeat "kubernetes $v"
  (cd "$out/src" && go build -p "$jobs" -trimpath -ldflags "$ldflags" -o "$out/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl)
  stop_heartbeat
  log "kubernetes $v built in $((SECONDS - t0)) s"
  mark_done "$out" "$recipe"
}

# build_gomain NAME VERSION MODULE PACKAGE [VERSION-LDFLAGS]: plain `go build` of a module
# without replaces; VERSION-LDFLAGS stamp the version where upstream's Makefile does.
build_gomain() {
  local name=$1 v=$2 mod=$3 pkg=$4 stamp=${5:-} out=$cache/$1-$2
  local recipe="go-build-1 $v $stamp"
  is_done "$out" "$recipe" || is_done "$out" "prebuilt $v" && { log "$name $v cached in $out"; return; }
  use_prebuilt "$out" "$v" "$name" && return
  new_module "$out" "labctl.local/$name-build"
  echo "require $mod $v" >>"$out/src/go.mod"
  log "$name $v: building"
  local t0=$SECONDS
  heartbeat "$name $v"
  (cd "$out/src" && go build -p "$jobs" -trimpath -ldflags "-s -w $stamp" -o "$out/bin/" "$pkg")
  stop_heartbeat
  log "$name $v built in $((SECONDS - t0)) s"
  mark_done "$out" "$recipe"
}

build_etcd() {
  local v=$ETCD_VERSION out=$cache/etcd-$ETCD_VERSION recipe="go-build-1 $ETCD_VERSION"
  is_done "$out" "$recipe" || is_done "$out" "prebuilt $v" && { log "etcd $v cached in $out"; return; }
  use_prebuilt "$out" "$v" etcd && return
  new_module "$out" labctl.local/etcd-build
  local modfile
  modfile=$(cd "$out/src" && go mod download -json "go.etcd.io/etcd/server/v3@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  echo "require go.etcd.io/etcd/server/v3 $v" >>"$out/src/go.mod"
  # server/go.mod replaces its sibling modules with ../X; use their published versions.
  grep -oE '^\s*go\.etcd\.io/etcd/[a-z0-9/-]+ => \.\./' "$modfile" | awk -v s="$v" '{print "replace " $1 " => " $1 " " s}' >>"$out/src/go.mod"
  log "etcd $v: building"
  local t0=$SECONDS
  heartbeat "etcd $v"
  (cd "$out/src" && go build -p "$jobs" -trimpath -ldflags "-s -w" -o "$out/bin/etcd" go.etcd.io/etcd/server/v3)
  stop_heartbeat
  log "etcd $v built in $((SECONDS - t0)) s"
  mark_done "$out" "$recipe"
}

# CoreDNS with only the plugins the lab's Corefile uses: the stock binary compiles every
# cloud provider's SDK, which costs more than everything else here on two cores.
build_coredns() {
  local v=$COREDNS_VERSION out=$cache/coredns-$COREDNS_VERSION
  local recipe
  recipe="go-build-1 $COREDNS_VERSION $(sha256sum "$here/coredns/main.go.txt" | cut -c1-12)"
  is_done "$out" "$recipe" || is_done "$out" "prebuilt $v" && { log "coredns $v cached in $out"; return; }
  use_prebuilt "$out" "$v" coredns && return
  new_module "$out" labctl.local/coredns-build
  echo "require github.com/coredns/coredns $v" >>"$out/src/go.mod"
  cp "$here/coredns/main.go.txt" "$out/src/main.go"
  log "coredns $v: building (lab plugin set)"
  local t0=$SECONDS
  heartbeat "coredns $v"
  (cd "$out/src" && go build -p "$jobs" -trimpath -ldflags "-s -w" -o "$out/bin/coredns" .)
  stop_heartbeat
  log "coredns $v built in $((SECONDS - t0)) s"
  mark_done "$out" "$recipe"
}

main() {
targets=("$@")
[[ ${#targets[@]} -eq 0 || ${targets[0]} == all ]] && targets=(kubernetes etcd coredns metrics-server kube-router)
for t in "${targets[@]}"; do
  case $t in
    kubernetes) build_kubernetes ;;
    etcd) build_etcd ;;
    coredns) build_coredns ;;
    metrics-server) build_gomain metrics-server "$METRICS_SERVER_VERSION" sigs.k8s.io/metrics-server \
      sigs.k8s.io/metrics-server/cmd/metrics-server "-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION" ;;
    kube-router) build_gomain kube-router "$KUBE_ROUTER_VERSION" github.com/cloudnativelabs/kube-router/v2 \
      github.com/cloudnativelabs/kube-router/v2/cmd/kube-router "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" ;;
    *) echo "build-upstream.sh: unknown component '$t'" >&2; exit 2 ;;
  esac
done
}

# Wrapped in main so bash parses the whole file before running: editing the script while a
# long build runs must not change what the running build does.
main "$@"
