#!/usr/bin/env bash
# hostctl.sh: the host provider. Turns a bare Linux machine (root, no Docker, no registry) into
# a real single-node Kubernetes made of upstream components, run as host processes:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd + runc, kubelet,
#   kube-proxy, kube-router (NetworkPolicy only); in pods: CoreDNS, metrics-server, the pool.
# labctl calls it (`labctl up --provider host`); it can also be run by hand.
#
# usage: host/hostctl.sh up | down | status | smoke | check-clean | logs COMPONENT
#
# Everything it creates lives under $LABCTL_STATE/host (default /var/lib/labctl/host) and
# /run/labctl, plus: the bridge labctl-br0 (which carries the node address), the nftables
# table labctl_airgap, kube-proxy's and kube-router's KUBE-* rules and ipsets, and the pods' network
# namespaces and cgroups. `down` removes all of it. Built binaries and images
# stay in $LABCTL_CACHE (default /var/cache/labctl), keyed by version.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

CACHE=${LABCTL_CACHE:-/var/cache/labctl}
STATE=${LABCTL_STATE:-/var/lib/labctl}/host
RUN=/run/labctl
K8S_BIN=$CACHE/kubernetes-$KUBERNETES_VERSION/bin
ETCD_BIN=${LABCTL_ETCD:-$CACHE/etcd-$ETCD_VERSION/bin/etcd}
KUBECTL=$K8S_BIN/kubectl
export KUBECONFIG=$STATE/kubeconfig

NODE_NAME=cryptojacking-net-lab
NODE_IP=10.245.0.1        # on the bridge labctl-br0: local to this machine only
CLUSTER_CIDR=10.244.0.0/16
POD_CIDR=10.244.0.0/24
BRIDGE=labctl-br0
SVC_CIDR=10.96.0.0/16
API_SVC_IP=10.96.0.1
DNS_SVC_IP=10.96.0.10
CONTAINERD_SOCK=$RUN/containerd/containerd.sock

# Components in start order; `down` stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router)
KUBE_ROUTER_BIN=$CACHE/kube-router-$KUBE_ROUTER_VERSION/bin/kube-router

t_start=$SECONDS
phase_t=$SECONDS
tty=0; [[ -t 2 ]] && tty=1
say() { printf '%s\n' "$*" >&2; }
phase() { phase_t=$SECONDS; say "• $*"; }
done_phase() { say "  ✓ $* ($((SECONDS - phase_t)) s)"; }
die() { say "✗ $1"; [[ -n ${2:-} ]] && say "  hint: $2"; exit 1; }

# wait_for SECONDS WHAT CMD...: poll CMD every second until it succeeds; on timeout print what
# the last attempt said, so a stuck phase explains itself.
wait_for() {
  local limit=$1 what=$2; shift 2
  local start=$SECONDS out=""
  while ((SECONDS - start < limit)); do
    if out=$("$@" 2>&1); then return 0; fi
    ((tty)) && printf '\r  … waiting for %s (%d s)' "$what" $((SECONDS - start)) >&2
    sleep 1
  done
  ((tty)) && printf '\n' >&2
  say "✗ timed out after ${limit}s waiting for $what; last attempt said:"
  printf '%s\n' "$out" | tail -n 15 | sed 's/^/    /' >&2
  return 1
}

# ---------------------------------------------------------------------------------------------
# processes
pidfile() { echo "$RUN/pids/$1.pid"; }
is_running() {
  local f; f=$(pidfile "$1")
  [[ -f $f ]] || return 1
  local pid; pid=$(<"$f")
  [[ -d /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null
}
# write_file FILE < CONTENT: replace FILE only when its content changes. Components watch their
# config files (kube-proxy exits when its file is rewritten), so an idempotent `up` must not
# touch an unchanged file. Records changed files so the owner can be restarted.
CHANGED=()
write_file() {
  local f=$1 tmp
  tmp=$(mktemp "$f.XXXX")
  cat >"$tmp"
  if [[ -f $f ]] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; return 0; fi
  mv "$tmp" "$f"
  CHANGED+=("$f")
}
# restart_if_changed NAME FILE: a running component whose config changed is restarted.
restart_if_changed() {
  local name=$1 f=$2 c
  for c in "${CHANGED[@]}"; do
    if [[ $c == "$f" ]] && is_running "$name"; then say "  $name: configuration changed, restarting"; stop "$name"; fi
  done
}
# start NAME ARGV...: start a daemon in its own session, logs in $STATE/logs/NAME.log.
start() {
  local name=$1; shift
  if is_running "$name"; then say "  $name already running (pid $(<"$(pidfile "$name")"))"; return; fi
  mkdir -p "$RUN/pids" "$STATE/logs"
  setsid "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
  say "  started $name (pid $!)"
}
stop() {
  local name=$1 f pid
  f=$(pidfile "$name")
  [[ -f $f ]] || return 0
  pid=$(<"$f")
  if [[ -d /proc/$pid ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    [[ -d /proc/$pid ]] && kill -KILL -- "-$pid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# ---------------------------------------------------------------------------------------------
# preflight and inputs
preflight() {
  [[ $(id -u) -eq 0 ]] || die "the host provider needs root" "run as root, or use --provider kind"
  [[ $(uname -s) == Linux ]] || die "the host provider needs Linux"
  local missing=()
  for c in containerd runc iptables ipset ip conntrack openssl buildah curl busybox; do
    command -v "$c" >/dev/null || missing+=("$c")
  done
  [[ -x /usr/lib/cni/bridge ]] || missing+=("CNI plugins (/usr/lib/cni)")
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]}" "run host/install-deps.sh"
}

ensure_binaries() {
  phase "upstream binaries (Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, CoreDNS $COREDNS_VERSION, metrics-server $METRICS_SERVER_VERSION, kube-router $KUBE_ROUTER_VERSION)"
  "$here/build-upstream.sh" kubernetes etcd coredns metrics-server kube-router
  done_phase "binaries ready in $CACHE"
}

ensure_images() {
  phase "lab images"
  "$repo/images/build.sh"
  done_phase "images built in $CACHE/images"
}

# ---------------------------------------------------------------------------------------------
# host network: node address, sysctls, air gap
setup_network() {
  phase "host network"
  # The CNI bridge plugin would create the bridge on the first pod; creating it here gives the
  # node its address from the start. The node address lives on the bridge too (the kernel has
  # no dummy interfaces to spare here), so deleting the bridge takes everything away.
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  # (Not `ip addr | grep -q`: with pipefail, grep's early exit makes the pipeline fail.)
  local addrs; addrs=$(ip -o addr show dev "$BRIDGE")
  [[ $addrs == *" 10.244.0.1/"* ]] || ip addr add 10.244.0.1/24 dev "$BRIDGE"
  [[ $addrs == *" $NODE_IP/"* ]] || ip addr add "$NODE_IP/32" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # `ip netns add` (the smoke test's outside host) turns /run/netns into a shared bind mount of
  # itself the first time it runs. Done after containerd has made pod netns there, it would hide
  # those mounts under the new one, and no later `ip netns del` could remove them. So make it
  # what `ip netns` wants now, before any pod exists.
  if ! mountpoint -q /run/netns 2>/dev/null; then
    ip netns add labctl-prime && ip netns del labctl-prime
  fi
  sysctl -qw net.ipv4.ip_forward=1
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 || die "net.bridge.bridge-nf-call-iptables is not available" "the kernel needs br_netfilter"
  airgap_rules
  done_phase "bridge $BRIDGE with node address $NODE_IP, air gap rules"
}

# The air gap. Pods may reach pods (10.244/16) and the node address (API server, kubelet);
# every other destination is dropped on the host, before routing could send it anywhere.
# It is a native nftables table of its own: a drop in any base chain is final, whatever
# kube-proxy and kube-router accept in their iptables chains, and neither of them reorders it.
airgap_rules() {
  nft delete table inet labctl_airgap 2>/dev/null || true
  nft -f - <<EOF
table inet labctl_airgap {
  # After the filter table (priority 0); a drop here is final whatever kube-router and
  # kube-proxy accepted before. A packet still addressed to a ClusterIP was not DNATed: the
  # Service has no endpoints. kube-proxy REJECTs those in filter FORWARD, but kube-router's
  # chain comes first there and ACCEPTs pod traffic, so the REJECT never runs; it is done here
  # instead, so "no endpoints" stays "refused" as on other clusters (CASES.md
  # egress-timeout-vs-refused).
  chain forward {
    type filter hook forward priority 10; policy accept;
    ip saddr $CLUSTER_CIDR ip daddr $SVC_CIDR counter reject with icmp type port-unreachable comment "labctl: a ClusterIP nothing answers for is refused"
    ip saddr $CLUSTER_CIDR ip daddr != $CLUSTER_CIDR counter drop comment "labctl air gap: pods reach only the cluster"
    ip daddr $CLUSTER_CIDR ip saddr != $CLUSTER_CIDR ct state new counter drop comment "labctl air gap: nothing outside reaches pods"
  }
  # Policy denials are silent, as on kind, Calico and Cilium (CASES.md egress-timeout-vs-refused):
  # kube-router REJECTs a denied connection, and its ICMP port-unreachable would tell the pod
  # "refused" at once. Those errors are dropped on their way to the pods, so a denied client
  # times out. Only errors about packets kube-router saw after DNAT (inner destination in the
  # pod range) are dropped; kube-proxy's REJECT for a Service without endpoints (inner
  # destination a ClusterIP) still reaches the pod as "refused". Priority -160 runs before NAT
  # rewrites the inner header back to the ClusterIP.
  chain output {
    type filter hook output priority -160; policy accept;
    oifname "$BRIDGE" icmp type destination-unreachable @th,192,16 0x0af4 counter drop comment "labctl: policy denials are silent drops"
  }
  chain input {
    type filter hook input priority -10; policy accept;
    ct state established,related accept
    ip saddr $CLUSTER_CIDR ip daddr $NODE_IP accept
    ip saddr $CLUSTER_CIDR counter drop comment "labctl air gap: pods reach only the node address"
  }
}
EOF
}

# ---------------------------------------------------------------------------------------------
# PKI: one cluster CA, one front-proxy CA, a ServiceAccount key pair.
cert() { # cert NAME CN O SANS(comma list or "") [CA-prefix]
  local name=$1 cn=$2 o=$3 sans=$4 ca=${5:-ca} d=$STATE/pki
  [[ -f $d/$name.crt ]] && return 0
  local subj="/CN=$cn"; [[ -n $o ]] && subj="/O=$o$subj"
  openssl genrsa -out "$d/$name.key" 2048 2>/dev/null
  openssl req -new -key "$d/$name.key" -subj "$subj" -out "$d/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [[ -n $sans ]] && echo "subjectAltName=$sans"
  } >"$d/$name.ext"
  openssl x509 -req -in "$d/$name.csr" -CA "$d/$ca.crt" -CAkey "$d/$ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
  rm -f "$d/$name.csr" "$d/$name.ext"
}
ca() {
  local name=$1 cn=$2 d=$STATE/pki
  [[ -f $d/$name.crt ]] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/$name.key" -out "$d/$name.crt" \
    -days 3650 -subj "/CN=$cn" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}
setup_pki() {
  phase "certificates"
  mkdir -p "$STATE/pki"; chmod 700 "$STATE/pki"
  ca ca labctl-cluster-ca
  ca front-proxy-ca labctl-front-proxy-ca
  local api_sans="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:$API_SVC_IP,IP:$NODE_IP,IP:127.0.0.1"
  cert apiserver kube-apiserver "" "$api_sans"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters ""
  cert admin labctl-admin system:masters ""
  cert controller-manager system:kube-controller-manager "" ""
  cert scheduler system:kube-scheduler "" ""
  cert kube-proxy system:kube-proxy "" ""
  cert kube-router system:kube-router "" ""
  cert kubelet "system:node:$NODE_NAME" system:nodes ""
  cert kubelet-serving "$NODE_NAME" "" "DNS:$NODE_NAME,IP:$NODE_IP"
  cert front-proxy-client front-proxy-client "" "" front-proxy-ca
  [[ -f $STATE/pki/sa.key ]] || {
    openssl genrsa -out "$STATE/pki/sa.key" 2048 2>/dev/null
    openssl rsa -in "$STATE/pki/sa.key" -pubout -out "$STATE/pki/sa.pub" 2>/dev/null
  }
  for n in admin controller-manager scheduler kube-proxy kube-router kubelet; do kubeconfig "$n"; done
  cp "$STATE/kubeconfig-admin" "$STATE/kubeconfig"
  done_phase "PKI and kubeconfigs in $STATE"
}
kubeconfig() {
  local n=$1 p=$STATE/pki
  write_file "$STATE/kubeconfig-$n" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cryptojacking-net-lab
  cluster: {server: "https://$NODE_IP:6443", certificate-authority: "$p/ca.crt"}
users:
- name: $n
  user: {client-certificate: "$p/$n.crt", client-key: "$p/$n.key"}
contexts:
- name: labctl-host
  context: {cluster: cryptojacking-net-lab, user: $n}
current-context: labctl-host
EOF
  chmod 600 "$STATE/kubeconfig-$n"
}

# ---------------------------------------------------------------------------------------------
# control plane
start_etcd() {
  mkdir -p "$STATE/etcd"; chmod 700 "$STATE/etcd"
  # Loopback only, plain HTTP: nothing but the API server on this machine talks to it.
  start etcd "$ETCD_BIN" --name "$NODE_NAME" --data-dir "$STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381
  wait_for 60 "etcd health" curl -sf http://127.0.0.1:2381/health
}

start_apiserver() {
  local p=$STATE/pki
  write_file "$STATE/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  users: ["system:kube-proxy", "system:kube-scheduler", "system:kube-controller-manager"]
  verbs: ["get", "list", "watch"]
- level: None
  nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
- level: Metadata
EOF
  start kube-apiserver "$K8S_BIN/kube-apiserver" \
    --advertise-address="$NODE_IP" --bind-address="$NODE_IP" --secure-port=6443 \
    --etcd-servers=http://127.0.0.1:2379 \
    --service-cluster-ip-range="$SVC_CIDR" \
    --client-ca-file="$p/ca.crt" --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
    --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" --kubelet-client-key="$p/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --profiling=false \
    --requestheader-client-ca-file="$p/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$p/front-proxy-client.crt" --proxy-client-key-file="$p/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --audit-policy-file="$STATE/audit-policy.yaml" --audit-log-path="$STATE/logs/audit.log" \
    --audit-log-maxsize=100 --audit-log-maxbackup=2
  wait_for 120 "kube-apiserver /readyz" "$KUBECTL" get --raw /readyz
}

start_controllers() {
  local p=$STATE/pki
  start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig="$STATE/kubeconfig-controller-manager" \
    --authentication-kubeconfig="$STATE/kubeconfig-controller-manager" \
    --authorization-kubeconfig="$STATE/kubeconfig-controller-manager" \
    --bind-address=127.0.0.1 --leader-elect=false \
    --service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" \
    --service-cluster-ip-range="$SVC_CIDR" --cluster-cidr="$CLUSTER_CIDR" \
    --allocate-node-cidrs=true --node-cidr-mask-size=24
  start kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig="$STATE/kubeconfig-scheduler" \
    --authentication-kubeconfig="$STATE/kubeconfig-scheduler" \
    --authorization-kubeconfig="$STATE/kubeconfig-scheduler" \
    --bind-address=127.0.0.1 --leader-elect=false
  wait_for 60 "kube-controller-manager healthz" curl -skf https://127.0.0.1:10257/healthz
  wait_for 60 "kube-scheduler healthz" curl -skf https://127.0.0.1:10259/healthz
}

# ---------------------------------------------------------------------------------------------
# node
start_containerd() {
  mkdir -p "$STATE/containerd" "$RUN/containerd" "$STATE/cni/net.d"
  write_file "$STATE/cni/net.d/10-labctl.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "labctl",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR", "gateway": "10.244.0.1"}]],
              "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  # Registry mirrors point every registry the lab's images name at a closed loopback port, so
  # an image that was not preloaded fails at once instead of reaching for the network.
  write_file "$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$RUN/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The kubelet asks for oom_score_adj -998 for sandboxes; where this process may not lower
  # scores (a container, a VM sandbox like ours), runc fails with "can't get final child's
  # PID from pipe". Restricting clamps the request to containerd's own score instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
    endpoint = ["http://127.0.0.1:9"]
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."registry.k8s.io"]
    endpoint = ["http://127.0.0.1:9"]
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."*"]
    endpoint = ["http://127.0.0.1:9"]
EOF
  restart_if_changed containerd "$STATE/containerd/config.toml"
  start containerd containerd --config "$STATE/containerd/config.toml"
  wait_for 30 "containerd socket" ctr -a "$CONTAINERD_SOCK" version
}

import_images() {
  phase "import images into containerd"
  local have n=0
  have=$(ctr -a "$CONTAINERD_SOCK" -n k8s.io images ls -q)
  for tar in "$CACHE"/images/*.tar; do
    local tags; tags=$(<"${tar%.tar}.tags")
    local absent=0
    for t in $tags; do grep -qxF "$t" <<<"$have" || absent=1; done
    # A rebuilt archive (newer than its import stamp) is imported again under the same tags.
    if ((absent)) || [[ $tar -nt ${tar%.tar}.imported ]]; then
      ctr -a "$CONTAINERD_SOCK" -n k8s.io images import --no-unpack=false "$tar" >/dev/null
      touch "${tar%.tar}.imported"; n=$((n + 1))
    fi
  done
  done_phase "$n archive(s) imported, $(ctr -a "$CONTAINERD_SOCK" -n k8s.io images ls -q | grep -vc '^sha256:') image tags present"
}

start_kubelet() {
  local p=$STATE/pki
  mkdir -p "$STATE/kubelet"
  echo "nameserver $DNS_SVC_IP" >"$STATE/resolv.conf"
  write_file "$STATE/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$p/ca.crt"}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
failCgroupV1: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
clusterDNS: [$DNS_SVC_IP]
clusterDomain: cluster.local
resolvConf: $STATE/resolv.conf
tlsCertFile: $p/kubelet-serving.crt
tlsPrivateKeyFile: $p/kubelet-serving.key
podCIDR: $POD_CIDR
failSwapOn: false
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
# Preloaded images are the only images there are: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
rotateCertificates: false
EOF
  restart_if_changed kubelet "$STATE/kubelet-config.yaml"
  start kubelet "$K8S_BIN/kubelet" --config="$STATE/kubelet-config.yaml" \
    --kubeconfig="$STATE/kubeconfig-kubelet" --root-dir="$STATE/kubelet" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
  wait_for 90 "kubelet healthz" curl -sf http://127.0.0.1:10248/healthz
  wait_for 120 "node $NODE_NAME Ready" "$KUBECTL" wait --for=condition=Ready "node/$NODE_NAME" --timeout=5s
}

start_kube_proxy() {
  write_file "$STATE/kube-proxy-config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$STATE/kubeconfig-kube-proxy"}
mode: iptables
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0}
EOF
  restart_if_changed kube-proxy "$STATE/kube-proxy-config.yaml"
  start kube-proxy "$K8S_BIN/kube-proxy" --config="$STATE/kube-proxy-config.yaml"
  wait_for 60 "kube-proxy healthz" curl -sf http://127.0.0.1:10256/healthz
}

# NetworkPolicy: kube-router's firewall only (no routing, no service proxy, no CNI), the way
# k3s embeds it. Needs its RBAC (manifests/host/kube-router.yaml) before it starts.
start_kube_router() {
  start kube-router "$KUBE_ROUTER_BIN" --kubeconfig="$STATE/kubeconfig-kube-router" \
    --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
    --enable-cni=false --enable-ipv4=true --enable-ipv6=false \
    --hostname-override="$NODE_NAME" --service-cluster-ip-range="$SVC_CIDR" \
    --health-port=20244 --metrics-port=0
  wait_for 60 "kube-router healthz" curl -sf http://127.0.0.1:20244/healthz
}

# ---------------------------------------------------------------------------------------------
# addons
apply_addons() {
  phase "addons: CoreDNS, kube-router (NetworkPolicy), metrics-server, the pool"
  local f
  for f in "$repo"/manifests/host/*.yaml "$repo"/manifests/addons/*.yaml; do
    sed -e "s|@COREDNS_VERSION@|$COREDNS_VERSION|g" \
        -e "s|@METRICS_SERVER_VERSION@|$METRICS_SERVER_VERSION|g" \
        -e "s|@DNS_SVC_IP@|$DNS_SVC_IP|g" "$f" |
      "$KUBECTL" apply --server-side --force-conflicts -f - >/dev/null
  done
  wait_for 180 "CoreDNS rollout" "$KUBECTL" -n kube-system rollout status deploy/coredns --timeout=5s
  start_kube_router
  wait_for 180 "metrics-server rollout" "$KUBECTL" -n kube-system rollout status deploy/metrics-server --timeout=5s
  wait_for 180 "pool rollout" "$KUBECTL" -n pool-external rollout status deploy/supportxmr-pool --timeout=5s
  wait_for 180 "metrics API available" "$KUBECTL" wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=5s
  done_phase "addons ready"
}

# ---------------------------------------------------------------------------------------------
# smoke proof: before any episode, show the properties the episodes rely on hold here.
smoke() {
  phase "smoke: DNS, NetworkPolicy enforcement, air gap"
  # A fresh namespace each time: never wait for the previous smoke's namespace to go away.
  local ns
  ns=labctl-smoke-$(date +%s)
  "$KUBECTL" create ns "$ns" >/dev/null
  "$KUBECTL" label ns "$ns" app.kubernetes.io/part-of=labctl >/dev/null
  trap '"$KUBECTL" delete ns '"$ns"' --wait=false >/dev/null 2>&1; outside_host_down' RETURN
  "$KUBECTL" -n "$ns" run probe --image=docker.io/lab/toolbox:1.0.0 --image-pull-policy=Never \
    --restart=Never --labels=app=probe >/dev/null
  wait_for 90 "smoke probe pod" "$KUBECTL" -n "$ns" wait --for=condition=Ready pod/probe --timeout=5s
  local x=("$KUBECTL" -n "$ns" exec probe --)

  # 1. The lab name resolves in the cluster; a name outside it does not (nothing upstream).
  wait_for 30 "pool.supportxmr.test to resolve" "${x[@]}" nslookup pool.supportxmr.test
  if "${x[@]}" nslookup example.com >/dev/null 2>&1; then die "example.com resolved inside the cluster" "CoreDNS must not forward upstream"; fi
  say "  ✓ pool.supportxmr.test resolves; names outside the lab do not"

  # 2. The pool answers before any policy.
  wait_for 30 "pool reachable before policy" "${x[@]}" nc -w 3 pool.supportxmr.test 3333
  # 3. A default-deny egress policy (+DNS) must make the same connection time out.
  "$KUBECTL" -n "$ns" apply -f - >/dev/null <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress}
spec: {podSelector: {}, policyTypes: [Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
EOF
  # Blocked must mean a silent drop: the client times out, as on kind (CASES.md
  # egress-timeout-vs-refused). "refused" here would mean the engine's REJECT leaks through.
  local said
  said=$(nc_until 30 "timed out" "${x[@]}" nc -w 2 pool.supportxmr.test 3333)
  if [[ $said != *"timed out"* ]]; then
    if [[ $said == connected ]]; then
      die "NetworkPolicy is NOT enforced: the pool is still reachable under default-deny-egress" "check kube-router: host/hostctl.sh logs kube-router"
    fi
    die "a denied connection did not time out; it said: ${said//$'\n'/ }" "policy denials must be silent drops: nft list table inet labctl_airgap"
  fi
  "${x[@]}" nslookup pool.supportxmr.test >/dev/null || die "allow-dns-egress did not let DNS through"
  say "  ✓ default-deny-egress: the pool times out; allow-dns-egress keeps DNS working"

  # A Service without endpoints is refused at once, not dropped (kube-proxy's REJECT).
  "$KUBECTL" -n "$ns" delete networkpolicy --all >/dev/null
  "$KUBECTL" -n "$ns" create service clusterip no-endpoints --tcp=80:80 >/dev/null
  said=$(nc_until 20 refused "${x[@]}" nc -w 3 no-endpoints 80)
  [[ $said == *refused* ]] || die "a Service without endpoints was not refused; it said: ${said//$'\n'/ }" "see the labctl_airgap forward chain (ClusterIP reject)"
  say "  ✓ a Service without endpoints is refused at once"

  # 4. Air gap: a test host outside the cluster (a network namespace of ours) is reachable from
  #    the host but not from a pod, even with no NetworkPolicy at all.
  outside_host_up
  busybox nc -w 2 198.51.100.2 8080 </dev/null || die "the outside test host does not answer the host itself"
  if "${x[@]}" nc -w 3 198.51.100.2 8080 >/dev/null 2>&1; then
    die "a pod reached an address outside the cluster" "the nftables table inet labctl_airgap is missing or bypassed: nft list table inet labctl_airgap"
  fi
  say "  ✓ air gap: a pod cannot reach a host outside the cluster that the node itself reaches"
  done_phase "smoke passed"
}
# nc_until SECONDS WORDS PROBE...: run a connect probe (policies take a moment to apply) until
# what it says contains WORDS or SECONDS pass; print the last thing it said ("connected" for a
# silent success).
nc_until() {
  local limit=$1 want=$2 start=$SECONDS said=""; shift 2
  while ((SECONDS - start < limit)); do
    said=$("$@" 2>&1) && said="connected"
    [[ $said == *"$want"* ]] && break
    sleep 1
  done
  printf '%s' "$said"
}

# A throwaway "outside world" host: netns labctl-outside, 198.51.100.2 (TEST-NET-2), served
# over a veth pair; its traffic never leaves this machine.
outside_host_up() {
  outside_host_down
  ip netns add labctl-outside
  ip link add labctl-out0 type veth peer name labctl-out1
  ip link set labctl-out1 netns labctl-outside
  ip addr add 198.51.100.1/30 dev labctl-out0; ip link set labctl-out0 up
  ip -n labctl-outside addr add 198.51.100.2/30 dev labctl-out1
  ip -n labctl-outside link set labctl-out1 up; ip -n labctl-outside link set lo up
  ip -n labctl-outside route add default via 198.51.100.1
  (ip netns exec labctl-outside setsid busybox nc -ll -p 8080 -e /bin/true >/dev/null 2>&1 </dev/null &)
  local i; for i in $(seq 1 20); do busybox nc -w 1 198.51.100.2 8080 </dev/null 2>/dev/null && break; sleep 0.2; done
}
outside_host_down() {
  ip netns pids labctl-outside 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  ip netns del labctl-outside 2>/dev/null || true
  ip link del labctl-out0 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
up() {
  preflight
  ensure_binaries
  ensure_images
  setup_network
  setup_pki
  phase "control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler"
  start_etcd; start_apiserver; start_controllers
  done_phase "control plane ready"
  phase "node: containerd, kubelet, kube-proxy"
  start_containerd
  import_images
  start_kubelet
  start_kube_proxy
  done_phase "node $NODE_NAME Ready"
  apply_addons
  smoke
  say "✓ cluster cryptojacking-net-lab is up in $((SECONDS - t_start)) s; KUBECONFIG=$KUBECONFIG"
}

down() {
  [[ $(id -u) -eq 0 ]] || die "down needs root"
  phase "stopping the host cluster"
  stop kube-proxy; stop kubelet
  if is_running containerd; then
    local c
    for c in $(ctr -a "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$CONTAINERD_SOCK" -n k8s.io tasks kill -s KILL "$c" >/dev/null 2>&1 || true
    done
    sleep 1
    for c in $(ctr -a "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$CONTAINERD_SOCK" -n k8s.io tasks rm -f "$c" >/dev/null 2>&1 || true
    done
  fi
  # Shims outlive containerd by design; ours are the ones bound to our socket.
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" 2>/dev/null || true
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop "${COMPONENTS[i]}"; done
  outside_host_down
  # kube-proxy's own cleanup removes its KUBE-* chains from every table.
  [[ -x $K8S_BIN/kube-proxy ]] && "$K8S_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  [[ -x $KUBE_ROUTER_BIN ]] && "$KUBE_ROUTER_BIN" --cleanup-config >/dev/null 2>&1 || true
  nft delete table inet labctl_airgap 2>/dev/null || true
  # What is left: the kubelet's KUBE-FIREWALL/KUBE-KUBELET-CANARY (and LABCTL-* chains of
  # older versions of this script).
  remove_chains iptables; remove_chains ip6tables
  # kube-router's cleanup cannot destroy a set that a rule still references; with the rules
  # gone now, destroy what is left of its sets.
  local set
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-(SRC|DST)-|kube-router-)' || true); do
    ipset destroy "$set" 2>/dev/null || true
  done
  # Pod network namespaces left by containerd's CNI (named cni-<uuid>).
  for n in $(ip netns list 2>/dev/null | awk '/^cni-/{print $1}'); do ip netns del "$n" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  # Mounts under our directories (pod volumes, overlay snapshots, sandbox shm), deepest first.
  local m
  for m in $(awk -v a="$STATE" -v b="$RUN" '$5 ~ "^"a || $5 ~ "^"b {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  # Pod cgroups the kubelet made (cgroupfs driver), deepest first.
  local root
  for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d $root ]] && find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "$STATE" "$RUN"
  done_phase "host cluster removed"
}

# remove_chains iptables|ip6tables: drop every jump to a KUBE-*/LABCTL-* chain from the built-in
# chains (by rule number, highest first), then flush and delete those chains, in every table.
remove_chains() {
  local ipt=$1 t chain n
  command -v "$ipt" >/dev/null || return 0
  for t in filter nat mangle raw; do
    for chain in INPUT OUTPUT FORWARD PREROUTING POSTROUTING; do
      for n in $("$ipt" -w -t "$t" -L "$chain" --line-numbers -n 2>/dev/null |
                 awk '$2 ~ /^(KUBE|LABCTL)-/ {print $1}' | sort -rn); do
        "$ipt" -w -t "$t" -D "$chain" "$n" 2>/dev/null || true
      done
    done
    local custom
    custom=$("$ipt" -w -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE|LABCTL)-/ {print $2}')
    for chain in $custom; do "$ipt" -w -t "$t" -F "$chain" 2>/dev/null || true; done
    for chain in $custom; do "$ipt" -w -t "$t" -X "$chain" 2>/dev/null || true; done
  done
}

# check_clean: after `down`, list anything the host provider made that is still there.
# Exit 1 if anything is. Used by `make e2e` to prove `down` leaves the machine as it was.
check_clean() {
  local left=() c
  for c in "$ETCD_BIN" "$KUBE_ROUTER_BIN" "$K8S_BIN"/kube-{apiserver,controller-manager,scheduler,proxy} "$K8S_BIN/kubelet"; do
    pgrep -f "^$c " >/dev/null && left+=("process ${c##*/}")
  done
  pgrep -f "containerd --config $STATE/" >/dev/null && left+=("process containerd")
  pgrep -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" >/dev/null && left+=("containerd shims")
  ip link show "$BRIDGE" >/dev/null 2>&1 && left+=("bridge $BRIDGE")
  local netns; netns=$(ip netns list 2>/dev/null | awk '/^(cni-|labctl-)/{printf "%s ", $1}')
  [[ -n $netns ]] && left+=("network namespaces: $netns")
  nft list table inet labctl_airgap >/dev/null 2>&1 && left+=("nftables table inet labctl_airgap")
  local rules; rules=$( (iptables-save; ip6tables-save) 2>/dev/null | grep -cE '(KUBE|LABCTL)-' || true)
  ((rules > 0)) && left+=("$rules iptables lines naming KUBE-*/LABCTL-* chains")
  local sets; sets=$(ipset list -n 2>/dev/null | grep -cE '^KUBE-' || true)
  ((sets > 0)) && left+=("$sets kube-router ipsets")
  local mounts; mounts=$(awk -v a="$STATE" -v b="$RUN" '$5 ~ "^"a || $5 ~ "^"b' /proc/self/mountinfo | wc -l)
  ((mounts > 0)) && left+=("$mounts mounts under $STATE or $RUN")
  [[ -e $STATE || -e $RUN ]] && left+=("state directories")
  [[ -d /sys/fs/cgroup/cpu/kubepods ]] && left+=("pod cgroups /sys/fs/cgroup/*/kubepods")
  if ((${#left[@]})); then
    say "✗ left behind by the host provider:"; printf '    %s\n' "${left[@]}" >&2; return 1
  fi
  say "✓ nothing of the host provider is left on this machine"
}

# health NAME: one probe per component, the endpoint each one serves for exactly this.
health() {
  case $1 in
    etcd) curl -sf --max-time 3 http://127.0.0.1:2381/health ;;
    kube-apiserver) "$KUBECTL" get --raw /readyz --request-timeout=3s ;;
    kube-controller-manager) curl -skf --max-time 3 https://127.0.0.1:10257/healthz ;;
    kube-scheduler) curl -skf --max-time 3 https://127.0.0.1:10259/healthz ;;
    containerd) ctr -a "$CONTAINERD_SOCK" version ;;
    kubelet) curl -sf --max-time 3 http://127.0.0.1:10248/healthz ;;
    kube-proxy) curl -sf --max-time 3 http://127.0.0.1:10256/healthz ;;
    kube-router) curl -sf --max-time 3 http://127.0.0.1:20244/healthz ;;
  esac >/dev/null 2>&1
}

status() {
  local rc=0 c pid
  printf '%-24s %-9s %s\n' COMPONENT STATE DETAIL
  for c in "${COMPONENTS[@]}"; do
    if ! is_running "$c"; then
      printf '%-24s %-9s %s\n' "$c" stopped "hint: host/hostctl.sh up starts it again; last log lines: host/hostctl.sh logs $c"; rc=1
    elif ! health "$c"; then
      printf '%-24s %-9s %s\n' "$c" unhealthy "pid $(<"$(pidfile "$c")"), health check fails; hint: host/hostctl.sh logs $c"; rc=1
    else
      pid=$(<"$(pidfile "$c")")
      printf '%-24s %-9s pid %s, %s MiB, log %s\n' "$c" healthy "$pid" "$(( $(awk '/VmRSS/{print $2}' "/proc/$pid/status") / 1024 ))" "$STATE/logs/$c.log"
    fi
  done
  if ((rc == 0)); then
    echo
    "$KUBECTL" get nodes -o wide 2>&1 || rc=1
    echo
    "$KUBECTL" get pods -A -o wide 2>&1 || rc=1
  fi
  return $rc
}

main() {
case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  smoke) smoke ;;
  check-clean) check_clean ;;
  logs) tail -n "${3:-100}" "$STATE/logs/${2:?component}.log" ;;
  *) say "usage: host/hostctl.sh up|down|status|smoke|check-clean|logs COMPONENT [LINES]"; exit 2 ;;
esac
}

# Parsed whole before it runs, so an edit during a long `up` cannot change the running one.
main "$@"
