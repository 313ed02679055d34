#!/usr/bin/env bash
# npm run bench: brings up what the benchmark needs (like npm test), builds, then runs tools/scripts/bench.js.
# Options are env vars listed at the top of bench.js (BENCH_QUICK=1: a few seconds per scenario; BENCH_PROFILE=1).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
ensure_postgres
ensure_kafka
trap stop_kafka_if_ours EXIT
build_all
node tools/scripts/bench.js
