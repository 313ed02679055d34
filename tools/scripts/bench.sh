#!/usr/bin/env bash
# npm run bench: brings up what the benchmark needs (like npm test), then runs tools/scripts/bench.js.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
ensure_postgres
ensure_kafka
trap stop_kafka_if_ours EXIT
build_all
node tools/scripts/bench.js
