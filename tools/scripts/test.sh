#!/usr/bin/env bash
# The one command that runs every test (README quick start #2; .ci/run runs exactly this).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
ensure_postgres
bash tools/scripts/ensure-chromium.sh
ensure_compose_cli
ensure_kafka fresh
trap stop_kafka_if_ours EXIT
build_all
bash tools/scripts/lint.sh
say "checking generated files (subgraph SDL, supergraph)"
node tools/scripts/generate.js --check
node libs/contracts/events/scripts/export-schemas.js --check
say "type-checking tests (tsconfig.spec.json of every project)"
for f in apps/*/tsconfig.spec.json libs/*/*/tsconfig.spec.json tools/*/tsconfig.spec.json; do
  npx tsc -p "$f" --noEmit
done
mkdir -p tmp
set +e
npx jest --runInBand --json --outputFile=tmp/jest-results.json "$@"
status=$?
set -e
# Any non-zero Jest exit fails the run, including code that keeps running after its test file was torn down.
if [ "$status" != 0 ]; then say "jest exited with status $status"; fi

node -e '
const r = require("./tmp/jest-results.json");
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
if (r.numTotalTests === 0) process.exitCode = 1;
' || status=1

# The fault suite after Jest (README "Fault suite"): its own PostgreSQL and Kafka, the platform under load, one fault
# after the other; it prints one row per fault and exits non-zero when any verdict fails. FAULTS=0 skips it (local
# runs only; CI runs it).
faults_status=0
if [ "${FAULTS:-1}" = 0 ]; then
  say "fault suite skipped (FAULTS=0)"
else
  say "fault suite (node tools/scripts/faults.js)"
  node tools/scripts/faults.js || faults_status=$?
fi
# The last line names every part that failed, so a passing fault suite cannot hide a failed Jest run.
if [ "$status" != 0 ] || [ "$faults_status" != 0 ]; then
  say "TESTS FAILED: jest/summary status $status, fault suite status $faults_status"
  exit 1
fi
say "all tests and the fault suite passed"
