#!/usr/bin/env bash
# README quick start #1: installs what it needs, starts Kafka, prepares databases, builds, starts every service.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
ensure_postgres
ensure_kafka
trap stop_kafka_if_ours EXIT
build_all
node tools/scripts/db-prepare.js
set +e
node tools/scripts/up.js "$@"
