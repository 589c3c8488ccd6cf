#!/usr/bin/env bash
# e2e: doctor, then every episode, through labctl itself; JUnit and JSON reports land in OUTDIR.
# usage: tests/e2e/run-episodes.sh LABCTL OUTDIR   (kubeconfig/provider as labctl resolves them)
# Exit status is labctl's: 0 only when every expectation held. No cluster -> labctl exits 3 and
# so does this test: it fails, it does not skip.
set -uo pipefail
labctl=${1:?usage: run-episodes.sh LABCTL OUTDIR}
out=${2:?usage: run-episodes.sh LABCTL OUTDIR}
mkdir -p "$out"

"$labctl" doctor
doctor=$?
if ((doctor != 0)); then
  echo "e2e: labctl doctor failed (exit $doctor); running the episodes anyway for their reports" >&2
fi
start=$SECONDS
"$labctl" run all --junit "$out/labctl-e2e.xml" --output json >"$out/labctl-e2e.json"
rc=$?
echo "e2e: labctl run all exited $rc after $((SECONDS - start)) s; reports in $out" >&2
if ((rc == 0 && doctor != 0)); then rc=$doctor; fi
exit "$rc"
