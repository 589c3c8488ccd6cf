#!/usr/bin/env bash
# Runs the stratum benchmarks and prints their figures. Build first:
#   cmake --preset default && cmake --build build -j2
# Usage: bench/stratum/run.sh [build-dir]   (env: POOL_CONNS=5000 POOL_SECS=10 MINER_SECS=30 MINER_TARGETS=250,979,1800)
set -euo pipefail
build=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build}
for b in fake-pool/bench-stratum-pool fake-miner/bench-stratum-miner; do
  [[ -x $build/$b ]] || { echo "run.sh: $build/$b missing; build first" >&2; exit 1; }
done
echo "== $(date -u +%FT%TZ) on $(nproc) CPUs, $(uname -r)"
"$build/fake-pool/bench-stratum-pool" "${POOL_CONNS:-5000}" "${POOL_SECS:-10}" || echo "(pool benchmark reported a shortfall)"
echo
"$build/fake-miner/bench-stratum-miner" "${MINER_SECS:-30}" "${MINER_TARGETS:-250,979,1800}"
